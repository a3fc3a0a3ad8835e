#include <gtest/gtest.h>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

using PasswordServiceTest = CoreTest;

TEST_F(PasswordServiceTest, ChangeChecksCurrentPassword) {
  add_user("mia", "operator");
  auto wrong = core->change_password("mia", "new-password-1", std::string("not-it"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kRuleViolation);
  EXPECT_EQ(core->get_user("mia")->password_hash, "fake$password123");
  ASSERT_TRUE(core->change_password("mia", "new-password-1", std::string("password123")));
  EXPECT_EQ(core->get_user("mia")->password_hash, "fake$new-password-1");
}

TEST_F(PasswordServiceTest, ResetNeedsNoCurrentPasswordAndValidates) {
  add_user("noah", "operator");
  ASSERT_TRUE(core->reset_password("noah", "brand-new-pass"));
  auto short_pw = core->reset_password("noah", "short");
  ASSERT_FALSE(short_pw);
  EXPECT_EQ(short_pw.error().fields.count("new_password"), 1u);
  EXPECT_EQ(core->reset_password("ghost", "brand-new-pass").error().code, ErrorCode::kNotFound);
}

TEST_F(PasswordServiceTest, ChangeEndsOtherSessionsButKeepsTheCaller) {
  add_user("olga", "operator");
  auto keep = core->login(Credentials{"olga", std::nullopt, "password123"});
  auto other = core->login(Credentials{"olga", std::nullopt, "password123"});
  ASSERT_TRUE(core->passwords().change_password("olga", "another-pass", std::nullopt,
                                                "digest:" + keep->api_key));
  EXPECT_TRUE(core->sessions().resolve(keep->api_key));
  EXPECT_FALSE(core->sessions().resolve(other->api_key));
}

TEST_F(PasswordServiceTest, SetIfDifferentKeepsSessionsWhenUnchanged) {
  add_user("pete", "operator");
  auto session = core->login(Credentials{"pete", std::nullopt, "password123"});
  EXPECT_FALSE(*core->passwords().set_password_if_different("pete", "password123"));
  EXPECT_TRUE(core->sessions().resolve(session->api_key));
  EXPECT_TRUE(*core->passwords().set_password_if_different("pete", "changed-pass"));
  EXPECT_FALSE(core->sessions().resolve(session->api_key));
}

}  // namespace
}  // namespace automation::testing
