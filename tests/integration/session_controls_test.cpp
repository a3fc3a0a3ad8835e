// Idle sessions (IEC 62443-4-2 CR 2.5) and remote session termination (CR 2.6) on the real
// binary. Time passes by making sessions old in the database itself, never by sleeping.

#include <string>

#include "controls_server.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

// The sessions table's row of the session whose key the test holds, found by its user.
std::string session_column(ControlsServer& server, const std::string& column,
                           const std::string& username) {
  return query_sql(server.process(),
                   "SELECT s." + column + " FROM sessions s JOIN users u ON u.id = s.user_id"
                   " WHERE u.username = '" + username + "'");
}

TEST(IdleSessions, ASessionUnusedForTheLimitEndsAndAUsedOneLives) {
  ControlsServer server(Env{{"AUTOMATION_SESSION_IDLE_TIMEOUT", "600"}});
  server.add_user("idle1", "operator");
  server.add_user("busy1", "operator");
  const std::string idle = server.key_of("idle1");
  const std::string busy = server.key_of("busy1");
  ASSERT_EQ(server.http().get("/api/users/me", api_key(idle)).status, 200);

  age_sessions(server, "idle1", 700);
  age_sessions(server, "busy1", 500);
  const auto ended = server.http().get("/api/users/me", api_key(idle));
  EXPECT_EQ(ended.status, 401) << ended.body;
  EXPECT_EQ(ended.json().at("message"), "Invalid token");
  EXPECT_EQ(session_column(server, "token_digest", "idle1"), "") << "removed when refused";

  ASSERT_EQ(server.http().get("/api/users/me", api_key(busy)).status, 200) << "500 s < 600 s";
  age_sessions(server, "busy1", 500);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(busy)).status, 200)
      << "the use 500 s ago was recorded: 500 s idle again, not 1000";
  EXPECT_EQ(server.process().stop(), 0);
}

// Uses are written every few seconds and when the server stops: stopping it is how this
// test knows everything gathered has been written (no waiting). At most one write a minute
// per session is the core's rule (SessionActivityTest); here the rule is seen end to end.
TEST(IdleSessions, LastUseIsWrittenAtMostOnceAMinuteNotPerRequest) {
  ControlsServer server(Env{{"AUTOMATION_SESSION_IDLE_TIMEOUT", "600"}});
  server.add_user("touch1", "operator");
  const std::string key = server.key_of("touch1");
  for (int i = 0; i < 20; ++i) ASSERT_EQ(server.http().get("/api/users/me", api_key(key)).status, 200);
  ASSERT_EQ(server.process().stop(), 0);
  EXPECT_EQ(session_column(server, "last_used_at", "touch1"), "0")
      << "used within the minute of its login: nothing written";

  age_sessions(server, "touch1", 120);
  const long long created = std::stoll(session_column(server, "created_at", "touch1"));
  server.process().start();
  // Writing a last use goes around the change feed (no cache anywhere drops the session).
  const std::string counter_before = query_sql(server.process(), "SELECT seq FROM change_counter");
  {
    HttpClient http(server.process().base_url());
    ASSERT_EQ(http.get("/api/users/me", api_key(key)).status, 200);
  }
  ASSERT_EQ(server.process().stop(), 0);
  const std::string recorded = session_column(server, "last_used_at", "touch1");
  ASSERT_NE(recorded, "0") << "the use was never written";
  EXPECT_GE(std::stoll(recorded), created + 120) << "now, two minutes after the login";
  EXPECT_EQ(query_sql(server.process(), "SELECT seq FROM change_counter"), counter_before);

  // 50 more key checks within the minute change nothing, not even when the server stops.
  server.process().start();
  {
    HttpClient http(server.process().base_url());
    for (int i = 0; i < 50; ++i) ASSERT_EQ(http.get("/api/users/me", api_key(key)).status, 200);
  }
  ASSERT_EQ(server.process().stop(), 0);
  EXPECT_EQ(session_column(server, "last_used_at", "touch1"), recorded);
}

TEST(IdleSessions, ALimitUnderAMinuteIsRefusedAtStart) {
  ServerProcess server(Env{{"AUTOMATION_SESSION_IDLE_TIMEOUT", "30"}});
  std::string output;
  EXPECT_EQ(server.run_cli({"db", "migrate"}, &output), 2) << output;
  EXPECT_NE(output.find("AUTOMATION_SESSION_IDLE_TIMEOUT"), std::string::npos) << output;
}

TEST(SessionTermination, AnAdminListsAndEndsAUsersSessionsAndNeverSeesAKey) {
  ControlsServer server;
  server.add_user("worker1", "operator");
  server.add_user("other1", "operator");
  server.add_user("chief1", "admin");
  const std::string first = server.key_of("worker1");
  const std::string second = server.key_of("worker1");
  const std::string others = server.key_of("other1");
  const std::string chief = server.key_of("chief1");

  const auto listed = server.http().get("/api/users/worker1/sessions", api_key(chief));
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json().size(), 2u) << listed.body;
  for (const auto& session : listed.json()) {
    EXPECT_EQ(session.at("username"), "worker1");
    EXPECT_EQ(session.at("client_address"), "127.0.0.1");
    EXPECT_FALSE(session.at("id").get<std::string>().empty());
    EXPECT_TRUE(session.at("last_used_on").is_null()) << "recorded only with an idle limit";
    EXPECT_TRUE(session.at("created_on").is_string());
  }
  for (const std::string& key : {first, second}) {
    EXPECT_EQ(listed.body.find(key), std::string::npos) << "a key in the listing";
  }
  const std::string digest_prefix = query_sql(
      server.process(), "SELECT substr(token_digest, 1, 16) FROM sessions LIMIT 1");
  ASSERT_FALSE(digest_prefix.empty());
  EXPECT_EQ(listed.body.find(digest_prefix), std::string::npos) << "a key digest in the listing";

  const auto other_listed = server.http().get("/api/users/other1/sessions", api_key(chief));
  ASSERT_EQ(other_listed.status, 200);
  const std::string others_id = other_listed.json().at(0).at("id");
  EXPECT_EQ(server.http().del("/api/users/worker1/sessions/" + others_id, api_key(chief)).status,
            404)
      << "another user's session is not found under this one";
  EXPECT_EQ(server.http().get("/api/users/me", api_key(others)).status, 200);
  EXPECT_EQ(server.http().del("/api/users/worker1/sessions/0123456789abcdef", api_key(chief)).status,
            404);

  // Which of the two keys a listed id belongs to is not shown; end one, then see which died.
  const std::string one_id = listed.json().at(0).at("id");
  const auto ended = server.http().del("/api/users/worker1/sessions/" + one_id, api_key(chief));
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(ended.json().at("message"), "Session ended");
  EXPECT_EQ(ended.json().at("session").at("id"), one_id);
  const int first_status = server.http().get("/api/users/me", api_key(first)).status;
  const int second_status = server.http().get("/api/users/me", api_key(second)).status;
  EXPECT_EQ(first_status + second_status, 200 + 401) << "exactly one key stopped working";
  EXPECT_TRUE(server.has_event("session_revoke", "worker1 session " + one_id, "success"));

  const auto all = server.http().del("/api/users/worker1/sessions", api_key(chief));
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json().at("sessions_ended"), 1);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(first)).status, 401);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(second)).status, 401);
  EXPECT_EQ(server.http().get("/api/users/worker1/sessions", api_key(chief)).json(), json::array());
  EXPECT_TRUE(server.has_event("session_revoke_all", "worker1", "success"));
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(SessionTermination, OnlyAdminAndSudoByThePasswordResetRule) {
  ControlsServer server;
  server.add_user("plain2", "operator");
  server.add_user("chief2", "admin");
  const std::string plain = server.key_of("plain2");
  const std::string chief = server.key_of("chief2");
  const std::string& sudo = server.system_key();

  EXPECT_EQ(server.http().get("/api/users/plain2/sessions", api_key(plain)).status, 403)
      << "not even one's own";
  EXPECT_EQ(server.http().del("/api/users/chief2/sessions", api_key(plain)).status, 403);
  EXPECT_TRUE(server.has_event("session_revoke_all", "chief2", "denied"));
  EXPECT_EQ(server.http().get("/api/users/plain2/sessions", api_key(sudo)).status, 400)
      << "sudo manages admins' sessions only, as it resets admins' passwords only";
  EXPECT_EQ(server.http().get("/api/users/chief2/sessions", api_key(sudo)).status, 200);
  EXPECT_EQ(server.http().get("/api/users/system/sessions", api_key(chief)).status, 404)
      << "sudo users stay hidden";
  EXPECT_EQ(server.http().get("/api/users/ghost2/sessions", api_key(chief)).status, 404);
  EXPECT_EQ(server.http().get("/api/users/plain2/sessions").status, 401);
  EXPECT_EQ(server.http().request("PUT", "/api/users/plain2/sessions", "{}", api_key(chief)).status,
            405);
  EXPECT_EQ(server.http().get("/api/users/plain2", api_key(plain)).status, 200)
      << "nothing was ended by the refused requests";
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
