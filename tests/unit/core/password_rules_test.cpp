// The password rules (core/password_rules) as pure functions, and through the core services
// over in-memory stores: history, minimum and maximum age, change at first login, and the
// one gate that keeps a session which must change its password to that change and logout.

#include "automation/core/password_rules.hpp"

#include <gtest/gtest.h>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

TEST(CharacterClasses, CountsLowerUpperDigitAndOther) {
  EXPECT_EQ(character_classes(""), 0);
  EXPECT_EQ(character_classes("abc"), 1);
  EXPECT_EQ(character_classes("abcDEF"), 2);
  EXPECT_EQ(character_classes("abc123"), 2);
  EXPECT_EQ(character_classes("aB3"), 3);
  EXPECT_EQ(character_classes("aB3-"), 4);
  EXPECT_EQ(character_classes("contraseña"), 2) << "non-ASCII counts as other";
}

TEST(CharacterClasses, ARefusalNamesTheFieldAndTheRule) {
  EXPECT_TRUE(check_character_classes("abc", 0, "password"));
  EXPECT_TRUE(check_character_classes("aB3-", 4, "password"));
  auto refused = check_character_classes("abc123", 3, "new_password");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kRuleViolation);
  EXPECT_EQ(refused.error().type, "password_character_classes");
  EXPECT_TRUE(refused.error().fields.contains("new_password"));
}

TEST(PasswordAge, ExpiresAtTheMaximumAgeAndNeverWithZero) {
  const PasswordState state{1'000'000, false};
  EXPECT_FALSE(password_expired(state, 1'000'000 + 30 * 86400 - 1, 30));
  EXPECT_TRUE(password_expired(state, 1'000'000 + 30 * 86400, 30));
  EXPECT_FALSE(password_expired(state, 1'000'000 + 9999 * 86400, 0));
}

TEST(PasswordAge, TheMinimumAgeRefusesAnEarlyChange) {
  const PasswordState state{1'000'000, false};
  EXPECT_TRUE(check_minimum_age(state, 1'000'000 + 10, 0));
  auto early = check_minimum_age(state, 1'000'000 + 24 * 3600 - 1, 24);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().type, "password_minimum_age");
  EXPECT_TRUE(check_minimum_age(state, 1'000'000 + 24 * 3600, 24));
}

TEST(PasswordAge, TheDemandAtLoginFollowsTheSettings) {
  PasswordPolicySettings settings;
  const PasswordState must{1'000'000, true};
  EXPECT_EQ(demand_at_login(must, 1'000'000, settings), PasswordChangeDemand::kNone)
      << "a recorded demand waits for the setting";
  settings.change_on_first_login = true;
  EXPECT_EQ(demand_at_login(must, 1'000'000, settings), PasswordChangeDemand::kRequired);
  settings.max_age_days = 1;
  EXPECT_EQ(demand_at_login(PasswordState{1'000'000, false}, 1'000'000 + 86400, settings),
            PasswordChangeDemand::kExpired);
}

// A dictionary that knows one word.
class OneWordDictionary : public PasswordDictionary {
 public:
  std::optional<std::string> weakness(std::string_view password, std::string_view) override {
    if (password.find("dragon") == std::string_view::npos) return std::nullopt;
    return "it is based on a dictionary word";
  }
};

TEST(PasswordStrength, LengthClassesAndDictionaryInThatOrder) {
  CoreSettings settings;
  settings.password_policy.min_character_classes = 2;
  OneWordDictionary dictionary;
  const PasswordStrength strength(settings, &dictionary);
  EXPECT_EQ(strength.check("short", "ana", "password").error().fields.count("password"), 1u);
  EXPECT_EQ(strength.check("onlyletters", "ana", "password").error().type,
            "password_character_classes");
  EXPECT_EQ(strength.check("dragon1234", "ana", "new_password").error().type,
            "password_dictionary");
  EXPECT_TRUE(strength.check("falcon1234", "ana", "password"));
  EXPECT_TRUE(PasswordStrength(settings, nullptr).check("dragon1234", "ana", "password"));
}

class PasswordLifetimeTest : public CoreTest {
 protected:
  Status change_own(const Caller& caller, const std::string& username, const std::string& current,
                    const std::string& next) {
    return api->change_password(caller, PasswordChange{username, next, current});
  }
};

TEST_F(PasswordLifetimeTest, HistoryRemembersTheCurrentAndPreviousPasswords) {
  settings.password_policy.history = 2;
  rebuild();
  add_user("hana", "operator", "first-pass");
  const Caller hana = session_of("hana", "first-pass");
  EXPECT_EQ(change_own(hana, "hana", "first-pass", "first-pass").error().type, "password_reused");
  ASSERT_TRUE(change_own(hana, "hana", "first-pass", "second-pass"));
  EXPECT_EQ(change_own(hana, "hana", "second-pass", "first-pass").error().type,
            "password_reused");
  ASSERT_TRUE(change_own(hana, "hana", "second-pass", "third-pass"));
  EXPECT_TRUE(change_own(hana, "hana", "third-pass", "first-pass")) << "forgotten after 2";
}

TEST_F(PasswordLifetimeTest, TheMinimumAgeHoldsTheOwnerNotAnAdmin) {
  settings.password_policy.min_age_hours = 1;
  rebuild();
  add_user("ivan", "operator", "first-pass");
  add_user("boss", "admin");
  const Caller ivan = session_of("ivan", "first-pass");
  EXPECT_EQ(change_own(ivan, "ivan", "first-pass", "second-pass").error().type,
            "password_minimum_age");
  EXPECT_TRUE(api->reset_password(session_of("boss"), "ivan", "reset-pass"));
  clock.advance(3600);
  EXPECT_TRUE(change_own(session_of("ivan", "reset-pass"), "ivan", "reset-pass", "own-pass"));
}

TEST_F(PasswordLifetimeTest, AnExpiredSessionMayOnlyChangeItsPasswordOrLogOut) {
  settings.password_policy.max_age_days = 10;
  rebuild();
  add_user("jon", "operator", "first-pass");
  clock.advance(10 * 86400);
  auto login = core->login(Credentials{"jon", std::nullopt, "first-pass"}, "10.0.0.1");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->password_change, PasswordChangeDemand::kExpired);
  auto refused = api->authenticate(login->api_key);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(refused.error().type, "password_change_required");
  auto principal = api->authenticate(login->api_key, KeyPurpose::kPasswordChangeOrLogout);
  ASSERT_TRUE(principal);
  const Caller jon{*principal, "10.0.0.1"};
  add_user("kim", "operator");
  EXPECT_EQ(api->change_password(jon, PasswordChange{"kim", "x-pass-123", std::nullopt})
                .error()
                .type,
            "password_change_required");
  ASSERT_TRUE(change_own(jon, "jon", "first-pass", "second-pass"));
  EXPECT_TRUE(api->authenticate(login->api_key)) << "the same key works normally now";
}

TEST_F(PasswordLifetimeTest, SomeoneElsesPasswordMustBeChangedAtFirstLogin) {
  settings.password_policy.change_on_first_login = true;
  rebuild();
  add_user("lea", "operator", "given-pass");  // created by the tool: someone else
  auto login = core->login(Credentials{"lea", std::nullopt, "given-pass"}, "10.0.0.1");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->password_change, PasswordChangeDemand::kRequired);
  auto own = core->users().signup(
      SignupRequest{"max", "max@example.com", "own-pass-1", "guest", std::nullopt, std::nullopt},
      false, PasswordSetter::kOwner);
  ASSERT_TRUE(own);
  auto chosen = core->login(Credentials{"max", std::nullopt, "own-pass-1"}, "10.0.0.1");
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->password_change, PasswordChangeDemand::kNone);
}

}  // namespace
}  // namespace automation::testing
