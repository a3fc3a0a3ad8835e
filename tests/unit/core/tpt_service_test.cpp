#include <gtest/gtest.h>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

using TptServiceTest = CoreTest;

TEST_F(TptServiceTest, CreateVerifyRevoke) {
  auto created = core->create_tpt(TptRequest{"operator", std::nullopt, "scada"}, "root");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->record.role, "operator");
  EXPECT_EQ(created->record.created_on, "2023-11-14 22:13:20");
  EXPECT_FALSE(created->record.expires_on);
  auto role = core->verify_tpt(created->token);
  ASSERT_TRUE(role);
  EXPECT_EQ(role->level, 10);
  ASSERT_TRUE(core->tpts().revoke_tpt(created->record.jti));
  EXPECT_EQ(core->verify_tpt(created->token).error().message, "Invalid token");
  EXPECT_EQ(core->tpts().revoke_tpt("unknown").error().code, ErrorCode::kNotFound);
}

TEST_F(TptServiceTest, Expiry) {
  auto created = core->create_tpt(TptRequest{"guest", 60, ""}, "root");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->record.expires_on, "2023-11-14 22:14:20");
  clock.advance(59);
  EXPECT_TRUE(core->verify_tpt(created->token));
  clock.advance(1);
  EXPECT_FALSE(core->verify_tpt(created->token));
}

TEST_F(TptServiceTest, RejectsBadRequestsAndForgeries) {
  EXPECT_EQ(core->create_tpt(TptRequest{"wizard", std::nullopt, ""}, "root").error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(core->create_tpt(TptRequest{"guest", 0, ""}, "root").error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(core->create_tpt(TptRequest{"guest", std::nullopt, "a\nb"}, "root").error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(stores.list_tpts()->empty());
  // Signed with another secret, or never issued (jti unknown): rejected.
  EXPECT_FALSE(core->verify_tpt("h.admin|x|.wrong-secret"));
  EXPECT_FALSE(core->verify_tpt("h.admin|never-issued|.0123456789abcdef0123456789abcdef"));
}

TEST_F(TptServiceTest, SudoTokensAreNeverCreatedNorAccepted) {
  const auto refused = core->create_tpt(TptRequest{"sudo", std::nullopt, ""}, "root");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().fields.count("role_name"), 1u);
  // A sudo token issued before this rule, with its record: refused at verification.
  const std::string secret = "0123456789abcdef0123456789abcdef";
  ASSERT_TRUE(stores.add_tpt(TptRecord{"legacy", "sudo", "2023-01-01 00:00:00", std::nullopt,
                                       std::nullopt, "", "root", false}));
  EXPECT_FALSE(core->verify_tpt("h.sudo|legacy|." + secret));
}

TEST_F(TptServiceTest, RoleClaimMustMatchTheRecord) {
  auto created = core->create_tpt(TptRequest{"guest", std::nullopt, ""}, "root");
  ASSERT_TRUE(created);
  const std::string secret = "0123456789abcdef0123456789abcdef";
  const std::string jti = created->record.jti;
  EXPECT_TRUE(core->verify_tpt("h.guest|" + jti + "|." + secret));
  EXPECT_TRUE(core->verify_tpt("h.GUEST|" + jti + "|." + secret));  // names are case-insensitive
  EXPECT_FALSE(core->verify_tpt("h.admin|" + jti + "|." + secret));
  auto verified = core->tpts().verify(created->token);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->jti, jti);
}

// Review 2 #7: whoever learned the secret signed a token without exp for an existing jti.
TEST_F(TptServiceTest, ExpiryClaimMustMatchTheRecord) {
  const std::string secret = "0123456789abcdef0123456789abcdef";
  auto expiring = core->create_tpt(TptRequest{"guest", 60, ""}, "root");
  auto lasting = core->create_tpt(TptRequest{"guest", std::nullopt, ""}, "root");
  ASSERT_TRUE(expiring && lasting);
  const std::string exp = std::to_string(*expiring->record.expires_at);
  EXPECT_TRUE(core->verify_tpt("h.guest|" + expiring->record.jti + "|" + exp + "." + secret));
  EXPECT_FALSE(core->verify_tpt("h.guest|" + expiring->record.jti + "|." + secret))
      << "no exp for a record that expires";
  EXPECT_FALSE(core->verify_tpt("h.guest|" + expiring->record.jti + "|" +
                                std::to_string(*expiring->record.expires_at + 3600) + "." + secret))
      << "a later exp";
  EXPECT_FALSE(core->verify_tpt("h.guest|" + lasting->record.jti + "|" + exp + "." + secret))
      << "an exp for a record that never expires";
  EXPECT_TRUE(core->verify_tpt("h.guest|" + lasting->record.jti + "|." + secret));
}

TEST(TptSecret, ConfiguredMustBeLongEnough) {
  InMemoryStores stores;
  FakeRandom random;
  EXPECT_EQ(resolve_tpt_secret(stores, random, std::string("short")).error().code,
            ErrorCode::kInvalidArgument);
  auto configured = resolve_tpt_secret(stores, random, std::string(32, 'k'));
  ASSERT_TRUE(configured);
  EXPECT_FALSE(configured->from_database);
}

TEST(TptSecret, GeneratedOnceAndShared) {
  InMemoryStores stores;
  FakeRandom random;
  auto first = resolve_tpt_secret(stores, random, std::nullopt);
  auto second = resolve_tpt_secret(stores, random, std::nullopt);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->value, second->value);
  EXPECT_EQ(first->value.size(), 64u);
  EXPECT_TRUE(first->from_database);
}

}  // namespace
}  // namespace automation::testing
