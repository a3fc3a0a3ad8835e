// Directory login while the directory is down (docs/directory-login.md, "Break-glass" and
// "Offline login"): local accounts keep working; a directory user gets in with the kept hash
// only when offline login is on and no server can be reached, never past a directory's answer.

#include <string>

#include "directory_server.hpp"

namespace automation::testing {
namespace {

TEST(DirectoryOutage, TheSystemUserLogsInWhileTheDirectoryIsDown) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  Env env = directory_settings(directory);
  env["AUTOMATION_LDAP_URLS"] = dead_directory_url();
  ControlsServer server(env);  // logs in as system
  ASSERT_FALSE(server.system_key().empty()) << server.process().log();
  server.add_user("local_ops", "operator");
  EXPECT_EQ(server.login("local_ops", kUserPassword).status, 200);
  const auto alice = server.login("alice", kDirectoryPassword);
  EXPECT_EQ(alice.status, 503) << alice.body;
  EXPECT_FALSE(alice.header("Retry-After").empty());
  EXPECT_TRUE(audit_reason(server, "login", "alice").starts_with("directory unreachable"));
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryOutage, OfflineLoginUsesTheKeptHashOnlyWhileNoServerAnswers) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  const std::string uid = add_person(directory, kOperators);
  Env env = directory_settings(directory);
  env["AUTOMATION_LDAP_OFFLINE_LOGIN_HOURS"] = "8";
  ControlsServer server(env);
  ASSERT_EQ(server.login(uid, kDirectoryPassword).status, 200);
  EXPECT_NE(query_sql(server.process(), "SELECT offline_until FROM directory_accounts"), "0");

  // The directory's answer stands while it answers: a password changed there is the only
  // one, although the old one is still kept here.
  modify_directory(directory, "dn: uid=" + uid + "," + kPeople +
                                  "\nchangetype: modify\nreplace: userPassword\nuserPassword: "
                                  "Changed-Passw0rd\n\n");
  EXPECT_EQ(server.login(uid, kDirectoryPassword).status, 403);
  EXPECT_EQ(audit_reason(server, "login", uid), "directory: wrong password");
  EXPECT_EQ(server.login(uid, "Changed-Passw0rd").status, 200);

  // Down: the password of the last good login works, audited as offline; nothing else does.
  ASSERT_EQ(server.process().stop(), 0);
  server.process().set_setting("AUTOMATION_LDAP_URLS", dead_directory_url());
  server.process().start();  // on another port: a client of its own
  HttpClient http(server.process().base_url());
  const auto offline = http.post(
      "/api/users/login", nlohmann::json{{"username", uid}, {"password", "Changed-Passw0rd"}});
  ASSERT_EQ(offline.status, 200) << offline.body;
  EXPECT_EQ(offline.json().at("role"), "operator");
  const auto trail = http.get("/api/users/audit?limit=50", api_key(login_as_system(http)));
  std::string reason;
  for (const auto& entry : trail.json()) {
    if (entry.at("event") == "login" && entry.at("target") == uid) {
      reason = entry.value("reason", "");
      break;
    }
  }
  EXPECT_TRUE(reason.starts_with("amr=pwd; offline directory login")) << reason;
  const auto wrong = http.post("/api/users/login",
                               nlohmann::json{{"username", uid}, {"password", kDirectoryPassword}});
  EXPECT_EQ(wrong.status, 403) << "the older password is not kept: " << wrong.body;
  const auto never = http.post(
      "/api/users/login", nlohmann::json{{"username", "bob"}, {"password", kDirectoryPassword}});
  EXPECT_EQ(never.status, 503) << "no hash kept for a user who never logged in here";

  // Past its hours, the kept hash is worthless.
  run_sql(server.process(), "UPDATE directory_accounts SET offline_until = 1");
  EXPECT_EQ(http.post("/api/users/login",
                      nlohmann::json{{"username", uid}, {"password", "Changed-Passw0rd"}})
                .status,
            503);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryOutage, WithoutOfflineLoginNoHashIsKept) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  ControlsServer server(directory_settings(directory));
  ASSERT_EQ(server.login("alice", kDirectoryPassword).status, 200);
  EXPECT_EQ(query_sql(server.process(),
                      "SELECT COUNT(*) FROM directory_accounts WHERE offline_hash <> ''"),
            "0");
  ASSERT_EQ(server.process().stop(), 0);
  server.process().set_setting("AUTOMATION_LDAP_URLS", dead_directory_url());
  server.process().start();
  HttpClient http(server.process().base_url());
  EXPECT_EQ(http.post("/api/users/login",
                      nlohmann::json{{"username", "alice"}, {"password", kDirectoryPassword}})
                .status,
            503);
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
