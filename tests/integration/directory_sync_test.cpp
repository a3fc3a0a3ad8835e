// Leavers (docs/directory-login.md, "Sync"): `automation ldap sync` and the server's periodic
// pass end the sessions of directory users who left, on every node sharing the database, and
// follow changed groups; a directory that cannot be reached changes nothing. Runs on every
// engine: the session ends through the store and reaches the other node by the change feed.

#include <chrono>
#include <string>
#include <thread>

#include "directory_server.hpp"

namespace automation::testing {
namespace {

// Off, so that only the test's `ldap sync` runs a pass.
Env sync_settings(const DirectoryServer& directory) {
  Env env = directory_settings(directory);
  env["AUTOMATION_LDAP_SYNC_SECONDS"] = "0";
  return env;
}

TEST(DirectorySync, ARemovedUserLosesTheirSessionsOnBothNodes) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  const std::string uid = add_person(directory, kOperators);
  const std::string stays = add_person(directory, kOperators);
  ControlsServer a(sync_settings(directory));
  Env b_env = sync_settings(directory);
  for (auto& [key, value] : same_database_as(a.process())) b_env[key] = value;
  ServerProcess b(b_env);
  b.start();
  HttpClient on_b(b.base_url());

  const std::string key = a.key_of(uid, kDirectoryPassword);
  const std::string other = a.key_of(stays, kDirectoryPassword);
  ASSERT_EQ(on_b.get("/api/users/me", api_key(key)).status, 200);  // cached on B

  set_membership(directory, uid, kOperators, false);
  std::string output;
  EXPECT_EQ(a.process().run_cli({"ldap", "sync"}, &output), 0) << output;
  EXPECT_NE(output.find("1 lost their sessions"), std::string::npos) << output;
  EXPECT_EQ(on_b.get("/api/users/me", api_key(key)).status, 401) << "B must see it at once";
  EXPECT_EQ(a.http().get("/api/users/me", api_key(key)).status, 401);
  EXPECT_EQ(on_b.get("/api/users/me", api_key(other)).status, 200) << "still in a mapped group";
  std::string outcome;
  EXPECT_EQ(audit_reason(a, "directory_sync", uid, &outcome),
            "sessions ended: directory: no group of the user maps to a role");
  EXPECT_EQ(outcome, "success");
  EXPECT_EQ(a.login(uid, kDirectoryPassword).status, 403) << "and cannot log in again";
  EXPECT_EQ(b.stop(), 0);
  EXPECT_EQ(a.process().stop(), 0);
}

TEST(DirectorySync, DisabledAndDeletedUsersLoseTheirSessionsAndGroupsChangeTheRole) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  const std::string disabled = add_person(directory, kOperators);
  const std::string deleted = add_person(directory, kOperators);
  const std::string promoted = add_person(directory, kOperators);
  ControlsServer server(sync_settings(directory));
  const std::string disabled_key = server.key_of(disabled, kDirectoryPassword);
  const std::string deleted_key = server.key_of(deleted, kDirectoryPassword);
  const std::string promoted_key = server.key_of(promoted, kDirectoryPassword);

  modify_directory(directory, "dn: uid=" + disabled + "," + kPeople +
                                  "\nchangetype: modify\nadd: objectClass\nobjectClass: "
                                  "automationTestAdAccount\n-\nadd: userAccountControl\n"
                                  "userAccountControl: 514\n\n");
  modify_directory(directory, "dn: uid=" + deleted + "," + kPeople + "\nchangetype: delete\n\n");
  set_membership(directory, promoted, kEngineers, true);

  std::string output;
  EXPECT_EQ(server.process().run_cli({"ldap", "sync"}, &output), 0) << output;
  EXPECT_EQ(server.http().get("/api/users/me", api_key(disabled_key)).status, 401);
  EXPECT_EQ(server.http().get("/api/users/me", api_key(deleted_key)).status, 401);
  const auto me = server.http().get("/api/users/me", api_key(promoted_key));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("role").at("name"), "supervisor");
  EXPECT_EQ(audit_reason(server, "directory_sync", disabled),
            "sessions ended: directory: account disabled");
  EXPECT_EQ(audit_reason(server, "directory_sync", deleted),
            "sessions ended: directory: no such user");
  EXPECT_EQ(audit_reason(server, "directory_sync", promoted),
            "role operator -> supervisor from the directory's groups");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectorySync, AnUnreachableDirectoryChangesNothing) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  const std::string uid = add_person(directory, kOperators);
  ControlsServer server(sync_settings(directory));
  const std::string key = server.key_of(uid, kDirectoryPassword);
  set_membership(directory, uid, kOperators, false);  // would end the session, if asked

  server.process().set_setting("AUTOMATION_LDAP_URLS", dead_directory_url());
  std::string output;
  EXPECT_EQ(server.process().run_cli({"ldap", "sync"}, &output), 1) << output;
  EXPECT_NE(output.find("nothing changed"), std::string::npos) << output;
  EXPECT_EQ(server.http().get("/api/users/me", api_key(key)).status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectorySync, TheServerSyncsOnItsOwn) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  const std::string uid = add_person(directory, kOperators);
  Env env = directory_settings(directory);
  env["AUTOMATION_LDAP_SYNC_SECONDS"] = "1";
  ControlsServer server(env);
  const std::string key = server.key_of(uid, kDirectoryPassword);
  set_membership(directory, uid, kOperators, false);
  // Polled, not slept: the pass runs every second.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  long status = 200;
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    status = server.http().get("/api/users/me", api_key(key)).status;
    if (status == 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 401);
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
