// Password strength and lifetime on the real binary (docs/security-controls.md;
// IEC 62443-4-2 CR 1.5, CR 1.7 RE1; 21 CFR Part 11 §11.300(b)). Time is never waited for:
// a password is made old by moving its recorded set time back in the database itself.

#include "controls_server.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

HttpResponse change_own(ControlsServer& server, const std::string& key,
                        const std::string& username, const std::string& current,
                        const std::string& next) {
  remember_secret(next);
  return server.http().post("/api/users/change_password",
                            json{{"target_username", username},
                                 {"current_password", current},
                                 {"new_password", next}},
                            api_key(key));
}

// A refusal by a password rule: 400 naming the field and the rule.
void expect_rule(const HttpResponse& response, const std::string& rule, const std::string& field) {
  EXPECT_EQ(response.status, 400) << response.body;
  const json body = response.json();
  EXPECT_EQ(body.value("error_type", ""), rule) << response.body;
  EXPECT_TRUE(body.contains("errors") && body.at("errors").contains(field)) << response.body;
}

// The state of a session that must change its password first: 403 on anything else.
void expect_change_first(ControlsServer& server, const std::string& key) {
  for (const auto& response :
       {server.http().get("/api/users/me", api_key(key)),
        server.http().get("/api/users/", api_key(key)),
        server.http().post_raw("/api/users/logout_all", "", api_key(key))}) {
    EXPECT_EQ(response.status, 403) << response.body;
    EXPECT_EQ(response.json().value("error_type", ""), "password_change_required")
        << response.body;
  }
}

TEST(PasswordRules, OffByDefault) {
  ControlsServer server(Env{});
  server.add_user("plain1", "operator");
  const std::string key = server.key_of("plain1");
  // Two character classes, a dictionary word, and straight back to the old password.
  auto changed = change_own(server, key, "plain1", kUserPassword, "password");
  EXPECT_EQ(changed.status, 200) << changed.body;
  changed = change_own(server, key, "plain1", "password", kUserPassword);
  EXPECT_EQ(changed.status, 200) << changed.body;
  age_password(server, "plain1", 10000 * kDay);
  EXPECT_EQ(server.login("plain1", kUserPassword).status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(PasswordRules, CharacterClassesAreCounted) {
  ControlsServer server(
      Env{{"AUTOMATION_PASSWORD_MIN_CHARACTER_CLASSES", "3"}});
  expect_rule(server.signup("classes1", "operator", "lowercase-only", server.system_key()),
              "password_character_classes", "password");
  server.add_user("classes1", "operator");  // kUserPassword has all four
  server.add_user("boss3", "admin");
  const std::string key = server.key_of("classes1");
  expect_rule(change_own(server, key, "classes1", kUserPassword, "lower123digits"),
              "password_character_classes", "new_password");
  expect_rule(server.reset(server.key_of("boss3"), "classes1", "ALLCAPS99"),
              "password_character_classes", "new_password");
  EXPECT_EQ(change_own(server, key, "classes1", kUserPassword, "Mixed-Case-1").status, 200);
  EXPECT_EQ(server.login("classes1", "Mixed-Case-1").status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(PasswordRules, BadSettingsStopTheStart) {
  ServerProcess server(Env{{"AUTOMATION_PASSWORD_MIN_CHARACTER_CLASSES", "5"}});
  EXPECT_EQ(server.run_expecting_exit(), 2);
  EXPECT_NE(server.log().find("AUTOMATION_PASSWORD_MIN_CHARACTER_CLASSES"), std::string::npos)
      << server.log();
  ServerProcess history(Env{{"AUTOMATION_PASSWORD_HISTORY", "25"}});
  EXPECT_EQ(history.run_expecting_exit(), 2);
  EXPECT_NE(history.log().find("AUTOMATION_PASSWORD_HISTORY"), std::string::npos)
      << history.log();
}

TEST(PasswordRules, TheDictionaryCheckRefusesGuessablePasswords) {
  ControlsServer server(
      Env{{"AUTOMATION_PASSWORD_DICTIONARY_CHECK", "true"}});
  expect_rule(server.signup("words1", "operator", "password1", server.system_key()),
              "password_dictionary", "password");
  server.add_user("words1", "operator");
  const std::string key = server.key_of("words1");
  expect_rule(change_own(server, key, "words1", kUserPassword, "sunshine2"),
              "password_dictionary", "new_password");
  expect_rule(change_own(server, key, "words1", kUserPassword, "words1words1"),
              "password_dictionary", "new_password");
  EXPECT_EQ(change_own(server, key, "words1", kUserPassword, "Qz7-Lm4x-Vr9w").status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(PasswordRules, TheLastPasswordsCannotBeReused) {
  ControlsServer server(Env{{"AUTOMATION_PASSWORD_HISTORY", "3"}});
  server.add_user("history1", "operator");
  const std::string key = server.key_of("history1");
  const std::string first = kUserPassword;
  expect_rule(change_own(server, key, "history1", first, first), "password_reused",
              "new_password");
  ASSERT_EQ(change_own(server, key, "history1", first, "Second-pass-2").status, 200);
  ASSERT_EQ(change_own(server, key, "history1", "Second-pass-2", "Third-pass-3").status, 200);
  // Remembered now: Third (current), Second, first.
  expect_rule(change_own(server, key, "history1", "Third-pass-3", first), "password_reused",
              "new_password");
  expect_rule(change_own(server, key, "history1", "Third-pass-3", "Second-pass-2"),
              "password_reused", "new_password");
  ASSERT_EQ(change_own(server, key, "history1", "Third-pass-3", "Fourth-pass-4").status, 200);
  // Remembered: Fourth, Third, Second: the first is free again.
  EXPECT_EQ(change_own(server, key, "history1", "Fourth-pass-4", first).status, 200);
  // An admin's reset is held to the history too.
  server.add_user("boss4", "admin");
  expect_rule(server.reset(server.key_of("boss4"), "history1", "Fourth-pass-4"),
              "password_reused", "new_password");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(PasswordRules, AnExpiredPasswordAllowsOnlyItsChange) {
  ControlsServer server(Env{{"AUTOMATION_PASSWORD_MAX_AGE_DAYS", "30"}});
  server.add_user("aging1", "operator");
  server.add_user("aging2", "operator");
  EXPECT_EQ(server.login("aging1", kUserPassword).status, 200) << "fresh";
  age_password(server, "aging1", 29 * kDay);
  EXPECT_EQ(server.login("aging1", kUserPassword).status, 200) << "29 days old";
  age_password(server, "aging1", kDay);

  const auto expired = server.login("aging1", kUserPassword);
  ASSERT_EQ(expired.status, 403) << expired.body;
  EXPECT_EQ(expired.json().value("error_type", ""), "password_expired");
  const std::string key = expired.json().value("apiKey", "");
  ASSERT_FALSE(key.empty()) << expired.body;
  remember_secret(key);
  expect_change_first(server, key);
  const auto other = server.http().post(
      "/api/users/change_password",
      json{{"target_username", "aging2"}, {"new_password", "Not-for-you-1"}}, api_key(key));
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_EQ(other.json().value("error_type", ""), "password_change_required");
  EXPECT_EQ(server.login("aging2", kUserPassword).status, 200) << "unchanged";

  ASSERT_EQ(change_own(server, key, "aging1", kUserPassword, "Renewed-pass-1").status, 200);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(key)).status, 200)
      << "the key works normally after the change";
  EXPECT_EQ(server.login("aging1", "Renewed-pass-1").status, 200);
  EXPECT_TRUE(server.has_event("login", "aging1", "success"));
  age_password(server, "system", 31 * kDay);
  EXPECT_EQ(server.login("system", kSystemPassword).status, 200)
      << "sudo accounts are managed by the command-line tool and the configuration";
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(PasswordRules, AUserWithoutARecordCountsFromTheMigration) {
  ControlsServer server(Env{{"AUTOMATION_PASSWORD_MAX_AGE_DAYS", "30"}});
  server.add_user("legacy1", "operator");
  // As a user PyAutomation created, or one that predates the records.
  run_sql(server.process(),
          "DELETE FROM password_state WHERE user_id = (SELECT id FROM users WHERE username = "
          "'legacy1')");
  EXPECT_EQ(server.login("legacy1", kUserPassword).status, 200);
  // Appended, not literal + std::string: GCC 12 warns falsely (-Warray-bounds) on that form.
  std::string age_migration = "UPDATE schema_version SET applied_at = applied_at - ";
  age_migration.append(std::to_string(31 * kDay)).append(" WHERE version = 8");
  run_sql(server.process(), age_migration);
  const auto expired = server.login("legacy1", kUserPassword);
  EXPECT_EQ(expired.status, 403) << expired.body;
  EXPECT_EQ(expired.json().value("error_type", ""), "password_expired");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(PasswordRules, ARestrictedKeyCanLogOut) {
  ControlsServer server(Env{{"AUTOMATION_PASSWORD_MAX_AGE_DAYS", "1"}});
  server.add_user("leaver1", "operator");
  age_password(server, "leaver1", 2 * kDay);
  const auto expired = server.login("leaver1", kUserPassword);
  const std::string key = expired.json().value("apiKey", "");
  remember_secret(key);
  EXPECT_EQ(server.http().post_raw("/api/users/logout", "", api_key(key)).status, 200);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(key)).status, 401) << "ended";
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(PasswordRules, TheMinimumAgeHoldsBackTheOwnerOnly) {
  ControlsServer server(Env{{"AUTOMATION_PASSWORD_MIN_AGE_HOURS", "24"}});
  server.add_user("quick1", "operator");
  server.add_user("boss2", "admin");
  age_password(server, "quick1", 2 * kDay);
  const std::string key = server.key_of("quick1");
  ASSERT_EQ(change_own(server, key, "quick1", kUserPassword, "Changed-once-1").status, 200);
  expect_rule(change_own(server, key, "quick1", "Changed-once-1", "Changed-twice-2"),
              "password_minimum_age", "new_password");
  const auto reset = server.reset(server.key_of("boss2"), "quick1", "Reset-by-boss-3");
  EXPECT_EQ(reset.status, 200) << "an admin's reset is exempt: " << reset.body;
  const std::string again = server.key_of("quick1", "Reset-by-boss-3");
  age_password(server, "quick1", 25 * 3600);
  EXPECT_EQ(change_own(server, again, "quick1", "Reset-by-boss-3", "Changed-later-4").status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(PasswordRules, AccountsSetUpBySomeoneElseMustChangeAtFirstLogin) {
  ControlsServer server(Env{{"AUTOMATION_PASSWORD_CHANGE_ON_FIRST_LOGIN", "true"},
                                             {"AUTOMATION_PASSWORD_MIN_AGE_HOURS", "24"}});
  server.add_user("newbie1", "operator");
  server.add_user("boss5", "admin");
  const auto boss_login = server.login("boss5", kUserPassword);
  ASSERT_EQ(boss_login.status, 403) << "an admin set up by sudo must change too";
  const std::string boss_first = boss_login.json().value("apiKey", "");
  remember_secret(boss_first);
  ASSERT_EQ(change_own(server, boss_first, "boss5", kUserPassword, "Boss-own-choice-5").status,
            200);
  const auto first = server.login("newbie1", kUserPassword);
  ASSERT_EQ(first.status, 403) << first.body;
  EXPECT_EQ(first.json().value("error_type", ""), "password_change_required");
  const std::string key = first.json().value("apiKey", "");
  remember_secret(key);
  expect_change_first(server, key);
  // The minimum age does not hold back a change the service demands.
  ASSERT_EQ(change_own(server, key, "newbie1", kUserPassword, "My-own-choice-1").status, 200);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(key)).status, 200);
  EXPECT_EQ(server.login("newbie1", "My-own-choice-1").status, 200);

  // A reset by someone else demands it again.
  const auto reset = server.reset(boss_first, "newbie1", "Temporary-pass-2");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(server.login("newbie1", "Temporary-pass-2").json().value("error_type", ""),
            "password_change_required");

  // The command-line tool is someone else too; an anonymous signup chose its own password.
  std::string output;
  ASSERT_EQ(server.process().run_cli({"user", "create", "--username", "clinew1", "--email",
                                      "clinew1@plant.local", "--password", kUserPassword},
                                     &output),
            0)
      << output;
  EXPECT_EQ(server.login("clinew1", kUserPassword).status, 403);
  ASSERT_EQ(server.signup("selfmade1", "guest", kUserPassword, "").status, 200);
  EXPECT_EQ(server.login("selfmade1", kUserPassword).status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
