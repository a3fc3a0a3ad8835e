// GET /api/overview (issue 23, the console's first page), on the real binary: the figures
// move with what happens (failed and throttled logins, a locked account and its unlock,
// sessions), and only the audit log's readers may read them.

#include <string>
#include <vector>

#include "controls_server.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

TEST(Overview, FiguresFollowLoginsLocksAndSessions) {
  ControlsServer server(Env{{"AUTOMATION_LOGIN_MAX_FAILURES", "10"},
                            {"AUTOMATION_LOGIN_ACCOUNT_MAX_FAILURES", "3"}});
  server.add_user("ov_admin", "admin");
  server.add_user("ov_auditor", "auditor");
  server.add_user("ov_operator", "operator");
  const std::string auditor = server.key_of("ov_auditor");
  const auto read = [&](const std::string& key) {
    const auto answer = server.http().get("/api/overview", api_key(key));
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json();
  };

  const json before = read(auditor);
  EXPECT_EQ(before.at("locked_accounts"), 0);
  EXPECT_EQ(before.at("logins").at("failed"), 0);
  EXPECT_EQ(before.at("logins").at("throttled"), 0);
  EXPECT_GE(before.at("live_sessions").get<long long>(), 2) << "system's and the auditor's";
  EXPECT_EQ(before.at("timestamp").get<long long>() - 24 * 3600,
            before.at("logins").at("since_timestamp").get<long long>());
  const auto head = before.at("audit").at("head_seq").get<long long>();
  EXPECT_GT(head, 0) << "the sign-ups are sealed events";
  EXPECT_EQ(before.at("audit").at("anchor_seq"), 0);
  EXPECT_EQ(before.at("audit").at("write_failures"), 0);
  EXPECT_GT(before.at("audit").at("events_stored").get<long long>(), 0) << "retention ran at start";
  EXPECT_TRUE(before.at("audit").at("capacity_percent").is_null()) << "no capacity set";

  for (int i = 0; i < 3; ++i) EXPECT_EQ(server.login("ov_operator", "wrong-password").status, 403);
  EXPECT_EQ(server.login("ov_operator", kUserPassword).status, 429) << "the account limit is full";
  // Names that match no account are throttled too, but lock no account.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(server.login("ov_nobody", "wrong-password").status, 403);
  const std::string second = server.key_of("ov_auditor");

  const json after = read(auditor);
  EXPECT_EQ(after.at("locked_accounts"), 1) << after.dump();
  EXPECT_EQ(after.at("logins").at("failed"), 6) << after.dump();
  EXPECT_EQ(after.at("logins").at("throttled"), 1) << after.dump();
  EXPECT_EQ(after.at("live_sessions").get<long long>(),
            before.at("live_sessions").get<long long>() + 1);
  EXPECT_GT(after.at("audit").at("head_seq").get<long long>(), head);

  ASSERT_EQ(server.http()
                .post("/api/users/ov_operator/unlock", json::object(),
                      api_key(server.key_of("ov_admin")))
                .status,
            200);
  EXPECT_EQ(read(second).at("locked_accounts"), 0) << "unlocked";
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(Overview, OnlyTheAuditReadersMayReadItAndARefusalIsAudited) {
  ControlsServer server;
  server.add_user("ov_reader", "admin");
  server.add_user("ov_viewer", "operator");
  EXPECT_EQ(server.http().get("/api/overview", api_key(server.key_of("ov_reader"))).status, 200);
  EXPECT_EQ(server.http().get("/api/overview", api_key(server.system_key())).status, 200);
  const std::string viewer = server.key_of("ov_viewer");
  const auto refused = server.http().get("/api/overview", api_key(viewer));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_TRUE(server.has_event("overview_read", "", "denied"));
  const auto actions = server.http().get("/api/users/me/actions", api_key(viewer));
  EXPECT_EQ(actions.json().at("actions").at("read_overview"), false) << actions.body;
  EXPECT_EQ(server.http().get("/api/overview").status, 401);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(AuditQuery, FiltersTheTrailOnTheServerAndRefusesBadFilters) {
  ControlsServer server;
  server.add_user("aq_auditor", "auditor");
  server.add_user("aq_operator", "operator");
  const std::string auditor = server.key_of("aq_auditor");
  (void)server.login("aq_operator", "wrong-password");
  const auto read = [&](const std::string& query) {
    const auto answer = server.http().get("/api/users/audit?" + query, api_key(auditor));
    EXPECT_EQ(answer.status, 200) << query << ": " << answer.body;
    return answer.json();
  };
  const json failed = read("event=login&outcome=failure&target=aq_operator");
  ASSERT_EQ(failed.size(), 1u) << failed.dump();
  EXPECT_EQ(failed[0].at("address"), "127.0.0.1");
  const json signups = read("event=signup&actor=system");
  EXPECT_EQ(signups.size(), 2u) << signups.dump();
  for (const auto& event : signups) EXPECT_EQ(event.at("event"), "signup");
  const auto newest = read("limit=1")[0].at("timestamp").get<long long>();
  EXPECT_TRUE(read("since=" + std::to_string(newest + 3600)).empty()) << "nothing in the future";
  EXPECT_FALSE(read("until=" + std::to_string(newest)).empty());

  for (const std::string& bad : std::vector<std::string>{
           "limit=0", "limit=1001", "since=yesterday", "until=1.5", "since=20&until=10",
           "outcome=maybe", "actor=" + std::string(256, 'a')}) {
    const auto refused = server.http().get("/api/users/audit?" + bad, api_key(auditor));
    EXPECT_EQ(refused.status, 400) << bad << ": " << refused.body;
  }
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(AuditQuery, VerifyingTheChainIsAuditedAndTheOverviewShowsIt) {
  ControlsServer server;
  server.add_user("av_auditor", "auditor");
  server.add_user("av_operator", "operator");
  const std::string auditor = server.key_of("av_auditor");
  const auto overview = [&] {
    return server.http().get("/api/overview", api_key(auditor)).json().at("audit");
  };
  EXPECT_TRUE(overview().at("last_verification").is_null()) << "never verified";

  const auto intact = server.http().post("/api/users/audit/verify", json::object(), api_key(auditor));
  ASSERT_EQ(intact.status, 200) << intact.body;
  EXPECT_EQ(intact.json().at("intact"), true) << intact.body;
  EXPECT_TRUE(intact.json().at("problem").is_null());
  const auto head = intact.json().at("last_seq").get<long long>();
  EXPECT_EQ(intact.json().at("events_checked").get<long long>(), head) << "every sealed event";
  EXPECT_EQ(intact.json().at("head_mac").get<std::string>().size(), 64u);
  const json verified = overview().at("last_verification");
  EXPECT_EQ(verified.at("intact"), true) << verified.dump();
  EXPECT_EQ(verified.at("seq"), head);
  EXPECT_EQ(verified.at("by"), "av_auditor");

  const std::string operator_key = server.key_of("av_operator");
  const auto refused =
      server.http().post("/api/users/audit/verify", json::object(), api_key(operator_key));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_TRUE(server.has_event("audit_verify", "", "denied"));

  // An edit in the database is found, named, and what the overview shows next.
  run_sql(server.process(), "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2");
  const auto broken = server.http().post("/api/users/audit/verify", json::object(), api_key(auditor));
  ASSERT_EQ(broken.status, 200) << broken.body;
  EXPECT_EQ(broken.json().at("intact"), false) << broken.body;
  EXPECT_EQ(broken.json().at("problem").at("kind"), "changed");
  EXPECT_EQ(broken.json().at("problem").at("seq"), 2);
  const json found = overview().at("last_verification");
  EXPECT_EQ(found.at("intact"), false) << found.dump();
  EXPECT_EQ(found.at("seq"), 2);
  EXPECT_TRUE(server.has_event("audit_verify", "seq 2", "failure"));
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
