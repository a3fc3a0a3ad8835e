// The caller's own account beyond PyAutomation's API (issue 23, the console's "My account"):
// the password rules a client shows before a change, and one's own sessions, listed and
// ended one by one, on the real binary.

#include <string>

#include "controls_server.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

TEST(PasswordRulesRoute, AnswersTheSettingsInForce) {
  const json defaults = {{"min_length", 8},      {"max_bytes", 1024},   {"min_character_classes", 0},
                         {"dictionary_check", false}, {"history", 0}, {"min_age_hours", 0},
                         {"max_age_days", 0}};
  {
    ControlsServer server;
    server.add_user("rules1", "operator");
    const auto rules = server.http().get("/api/users/me/password_rules",
                                         api_key(server.key_of("rules1")));
    ASSERT_EQ(rules.status, 200) << rules.body;
    EXPECT_EQ(rules.json(), defaults);
    EXPECT_EQ(server.http().get("/api/users/me/password_rules").status, 401);
    EXPECT_EQ(server.process().stop(), 0);
  }
  ControlsServer server(Env{{"AUTOMATION_PASSWORD_MIN_LENGTH", "12"},
                            {"AUTOMATION_PASSWORD_MIN_CHARACTER_CLASSES", "3"},
                            {"AUTOMATION_PASSWORD_HISTORY", "5"},
                            {"AUTOMATION_PASSWORD_MAX_AGE_DAYS", "90"},
                            {"AUTOMATION_PASSWORD_MIN_AGE_HOURS", "24"},
                            {"AUTOMATION_PASSWORD_CHANGE_ON_FIRST_LOGIN", "true"}});
  server.add_user("rules2", "operator");
  // A session that must change its password first may read what the new one must be.
  const auto first = server.login("rules2", kUserPassword);
  ASSERT_EQ(first.status, 403) << first.body;
  const std::string key = first.json().value("apiKey", "");
  remember_secret(key);
  const auto rules = server.http().get("/api/users/me/password_rules", api_key(key));
  ASSERT_EQ(rules.status, 200) << rules.body;
  json expected = defaults;
  expected.update({{"min_length", 12}, {"min_character_classes", 3}, {"history", 5},
                   {"max_age_days", 90}, {"min_age_hours", 24}});
  EXPECT_EQ(rules.json(), expected);
  EXPECT_EQ(server.http().get("/api/users/me/sessions", api_key(key)).status, 403)
      << "nothing else before the change";
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(OwnAccount, AUserListsAndEndsOwnSessionsOnly) {
  ControlsServer server;
  server.add_user("panel1", "operator");
  server.add_user("panel2", "operator");
  const std::string here = server.key_of("panel1");
  const std::string there = server.key_of("panel1");
  const std::string neighbour = server.key_of("panel2");

  const auto listed = server.http().get("/api/users/me/sessions", api_key(here));
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json().size(), 2u) << listed.body;
  std::string current_id, other_id;
  for (const auto& session : listed.json()) {
    EXPECT_EQ(session.at("username"), "panel1");
    (session.at("current").get<bool>() ? current_id : other_id) = session.at("id");
  }
  ASSERT_FALSE(current_id.empty()) << "one is the asking session: " << listed.body;
  ASSERT_FALSE(other_id.empty()) << listed.body;
  for (const std::string& key : {here, there}) {
    EXPECT_EQ(listed.body.find(key), std::string::npos) << "a key in the listing";
  }

  // Another user's session is not found among one's own, and lives on.
  const std::string neighbours_id =
      server.http().get("/api/users/me/sessions", api_key(neighbour)).json().at(0).at("id");
  EXPECT_EQ(server.http().del("/api/users/me/sessions/" + neighbours_id, api_key(here)).status, 404);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(neighbour)).status, 200);
  EXPECT_EQ(server.http().del("/api/users/me/sessions/0123456789abcdef", api_key(here)).status, 404);

  const auto ended = server.http().del("/api/users/me/sessions/" + other_id, api_key(here));
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(ended.json().at("session").at("id"), other_id);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(there)).status, 401);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(here)).status, 200);
  EXPECT_TRUE(server.has_event("session_revoke", "panel1 session " + other_id, "success"));
  const auto left = server.http().get("/api/users/me/sessions", api_key(here));
  ASSERT_EQ(left.json().size(), 1u) << left.body;
  EXPECT_EQ(left.json().at(0).at("id"), current_id);

  EXPECT_EQ(server.http().get("/api/users/me/sessions").status, 401);
  EXPECT_EQ(server.http().del("/api/users/me/sessions/" + current_id).status, 401);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(OwnAccount, AThirdPartyTokenHasNoSessions) {
  ControlsServer server;
  const auto created = server.http().post(
      "/api/users/create_tpt", json{{"role_name", "operator"}, {"description", "historian"}},
      api_key(server.system_key()));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string token = created.json().at("token");
  remember_secret(token);
  EXPECT_EQ(server.http().get("/api/users/me/sessions", api_key(token)).status, 403);
  EXPECT_EQ(server.http().del("/api/users/me/sessions/0123456789abcdef", api_key(token)).status,
            403);
  EXPECT_EQ(server.http().get("/api/users/me/password_rules", api_key(token)).status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
