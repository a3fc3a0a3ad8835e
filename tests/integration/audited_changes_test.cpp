// No unaudited security change (IEC 62443-4-2 CR 2.10, #12 point 7), on the real binary and
// each database: while the audit table refuses new rows (a trigger stands in for a full or
// failing audit store), every change answers 503 and changes nothing; refusals still answer
// as they would; once the audit store works again, so does everything else.

#include <string>

#include "controls_server.hpp"

namespace automation::testing {
namespace {

void expect_nothing_changed(const HttpResponse& response, const std::string& what) {
  EXPECT_EQ(response.status, 503) << what << ": " << response.body;
  if (response.status == 503) {
    EXPECT_EQ(response.json().value("message", ""),
              "The audit trail could not be written, so nothing was changed")
        << what;
  }
}

TEST(AuditedChanges, WhileTheAuditStoreFailsNoChangeIsMadeAndNoneIsLost) {
  ControlsServer server;
  server.add_user("boss1", "admin");
  server.add_user("kept1", "operator");
  const std::string boss_key = server.key_of("boss1");
  const std::string kept_key = server.key_of("kept1");
  const std::string events_before =
      query_sql(server.process(), "SELECT COUNT(*) FROM audit_events");

  break_audit_store(server.process());
  HttpClient& http = server.http();
  expect_nothing_changed(server.reset(boss_key, "kept1", "Another-Secret-42"),
                         "password reset");
  expect_nothing_changed(server.signup("ghost1", "operator", kUserPassword, server.system_key()),
                         "signup");
  expect_nothing_changed(server.login("kept1", kUserPassword), "login");
  expect_nothing_changed(
      http.post("/api/users/update_role",
                nlohmann::json{{"target_username", "kept1"}, {"new_role_name", "supervisor"}},
                api_key(boss_key)),
      "role change");
  expect_nothing_changed(http.post("/api/users/logout", nlohmann::json::object(),
                                   api_key(kept_key)),
                         "logout");
  // A refusal changes nothing, so it is answered as always (its event is lost and counted).
  const auto refused = http.post(
      "/api/users/reset_password",
      nlohmann::json{{"target_username", "system"}, {"new_password", "Another-Secret-42"}},
      api_key(kept_key));
  EXPECT_NE(refused.status, 503) << refused.body;
  EXPECT_GE(refused.status, 400) << refused.body;
  // A wrong password is answered as always (403, as upstream answers it).
  EXPECT_EQ(server.login("kept1", "wrong-password-1").status, 403);
  // The command-line tool refuses the same way, with the same words.
  std::string cli_output;
  EXPECT_EQ(server.process().run_cli({"role", "add", "--name", "cli_role", "--level", "7"},
                                     &cli_output),
            1)
      << cli_output;
  EXPECT_NE(cli_output.find("The audit trail could not be written, so nothing was changed"),
            std::string::npos)
      << cli_output;
  EXPECT_EQ(query_sql(server.process(), "SELECT COUNT(*) FROM audit_events"), events_before);

  repair_audit_store(server.process());
  const auto me = http.get("/api/users/me", api_key(kept_key));
  EXPECT_EQ(me.status, 200) << "the refused logout left the session alive: " << me.body;
  EXPECT_EQ(me.json().value("role", nlohmann::json::object()).value("name", ""), "operator")
      << "the refused role change left the role alone";
  EXPECT_EQ(server.login("kept1", kUserPassword).status, 200) << "the old password still works";
  EXPECT_EQ(http.get("/api/users/ghost1", api_key(server.system_key())).status, 404)
      << "the refused signup created no user";
  EXPECT_FALSE(server.has_event("password_reset", "kept1", "success"));
  EXPECT_FALSE(server.has_event("signup", "ghost1", "success"));
  const auto roles = http.get("/api/users/roles", api_key(server.system_key()));
  EXPECT_EQ(roles.body.find("cli_role"), std::string::npos)
      << "the refused CLI change left no role";
  EXPECT_TRUE(server.has_event("login", "kept1", "success")) << "the later login is recorded";
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
