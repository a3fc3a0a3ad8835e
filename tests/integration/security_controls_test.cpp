// Plant security controls on the real binary (docs/security-controls.md): unlocking a
// throttled account (CR 1.11), the system use notice (CR 1.12) and concurrent session
// control (CR 2.7). The audit trail's controls are in audit_trail_test.cpp.

#include "controls_server.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;
TEST(AccountUnlock, AnAdminClearsAThrottledAccountAndItIsAudited) {
  ControlsServer server(Env{{"AUTOMATION_LOGIN_MAX_FAILURES", "2"}});
  server.add_user("locked1", "operator");
  server.add_user("boss1", "admin");
  server.add_user("peer1", "operator");
  const std::string boss = server.key_of("boss1");
  const std::string peer = server.key_of("peer1");
  for (int i = 0; i < 2; ++i) EXPECT_EQ(server.login("locked1", "wrong-password-1").status, 403);
  EXPECT_EQ(server.login("locked1", kUserPassword).status, 429) << "throttled now";

  EXPECT_EQ(server.http().post_raw("/api/users/locked1/unlock", "", api_key(peer)).status, 403);
  EXPECT_TRUE(server.has_event("account_unlock", "locked1", "denied"));
  EXPECT_EQ(server.http().post_raw("/api/users/nobody1/unlock", "", api_key(boss)).status, 404);
  EXPECT_EQ(server.http().post_raw("/api/users/system/unlock", "", api_key(boss)).status, 404)
      << "sudo accounts stay hidden from admins";
  EXPECT_EQ(server.http().post_raw("/api/users/locked1/unlock", "").status, 401);

  const auto unlocked = server.http().post_raw("/api/users/locked1/unlock", "", api_key(boss));
  ASSERT_EQ(unlocked.status, 200) << unlocked.body;
  EXPECT_EQ(unlocked.json().at("message"), "Account unlocked");
  EXPECT_GE(unlocked.json().at("failures_cleared").get<int>(), 2);
  EXPECT_TRUE(server.has_event("account_unlock", "locked1", "success"));
  EXPECT_EQ(server.login("locked1", kUserPassword).status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(AccountUnlock, TheCommandLineUnlocksToo) {
  ControlsServer server(Env{{"AUTOMATION_LOGIN_MAX_FAILURES", "1"}});
  server.add_user("locked2", "operator");
  EXPECT_EQ(server.login("locked2", "wrong-password-2").status, 403);
  EXPECT_EQ(server.login("locked2", kUserPassword).status, 429);
  std::string output;
  ASSERT_EQ(server.process().run_cli({"user", "unlock", "--username", "locked2"}, &output), 0)
      << output;
  EXPECT_NE(output.find("unlocked locked2"), std::string::npos) << output;
  EXPECT_EQ(server.login("locked2", kUserPassword).status, 200);
  EXPECT_TRUE(server.has_event("account_unlock", "locked2", "success"));
  EXPECT_EQ(server.process().run_cli({"user", "unlock", "--username", "ghost2"}, &output), 1);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(SystemUseNotice, IsPublicAndEmptyByDefault) {
  ControlsServer plain;
  const auto none = plain.http().get("/api/notice");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json(), json({{"notice", ""}}));
  EXPECT_EQ(plain.process().stop(), 0);

  const std::string text = "Authorized use only. Activity is logged — Uso autorizado solamente.";
  ControlsServer configured(Env{{"AUTOMATION_LOGIN_NOTICE", text}});
  const auto notice = configured.http().get("/api/notice");
  ASSERT_EQ(notice.status, 200) << notice.body;
  EXPECT_EQ(notice.json().at("notice"), text);
  EXPECT_EQ(configured.process().stop(), 0);
}

TEST(SystemUseNotice, ANoticeFileThatCannotBeReadIsABadSetting) {
  ServerProcess server(Env{{"AUTOMATION_LOGIN_NOTICE_FILE", "/nonexistent/notice.txt"}});
  EXPECT_EQ(server.run_expecting_exit(), 2);
  EXPECT_NE(server.log().find("AUTOMATION_LOGIN_NOTICE_FILE"), std::string::npos) << server.log();
}

TEST(ConcurrentSessions, UnlimitedByDefault) {
  ControlsServer server;
  server.add_user("many1", "operator");
  const std::string first = server.key_of("many1");
  const std::string second = server.key_of("many1");
  EXPECT_EQ(server.http().get("/api/users/me", api_key(first)).status, 200);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(second)).status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(ConcurrentSessions, WithALimitOfOneANewLoginEndsThePreviousSession) {
  ControlsServer server(Env{{"AUTOMATION_MAX_SESSIONS_PER_USER", "1"}});
  server.add_user("single1", "operator");
  server.add_user("other1", "operator");
  const std::string other = server.key_of("other1");
  const std::string first = server.key_of("single1");
  EXPECT_EQ(server.http().get("/api/users/me", api_key(first)).status, 200);
  const std::string second = server.key_of("single1");
  EXPECT_EQ(server.http().get("/api/users/me", api_key(first)).status, 401) << "ended";
  EXPECT_EQ(server.http().get("/api/users/me", api_key(second)).status, 200);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(other)).status, 200)
      << "other users' sessions are untouched";
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(ConcurrentSessions, RacingLoginsNeverLeaveMoreThanTheLimit) {
  ControlsServer server(Env{{"AUTOMATION_MAX_SESSIONS_PER_USER", "2"}});
  server.add_user("racer1", "operator");
  // Four: more than five logins of one account from one address at once are throttled.
  std::vector<PendingRequest> logins(
      4, PendingRequest{"POST", "/api/users/login",
                        json{{"username", "racer1"}, {"password", kUserPassword}}.dump(),
                        {"Content-Type: application/json"}});
  const auto responses = request_concurrently(server.process().base_url(), logins);
  int live = 0;
  for (const auto& response : responses) {
    ASSERT_EQ(response.status, 200) << response.body;
    const std::string key = response.json().at("apiKey");
    remember_secret(key);
    if (server.http().get("/api/users/me", api_key(key)).status == 200) ++live;
  }
  EXPECT_EQ(live, 2);
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
