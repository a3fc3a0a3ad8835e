// Directory login (LDAP, Active Directory; docs/directory-login.md) on the real binary against
// the throw-away slapd of scripts/ldap-server.sh: just-in-time users, roles from groups,
// refusals that answer like a wrong password, throttling, TLS, fail-over and filter injection.

#include <string>

#include "directory_server.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

// What a wrong password gets: the directory's refusals must look exactly the same.
const json kInvalidCredentials = {
    {"message", "Authentication error: Invalid credentials"},
    {"error_type", "authentication_error"},
    {"details", "The provided username/email or password is incorrect."}};

TEST(DirectoryLogin, AFirstLoginCreatesTheUserWithTheRoleOfItsGroup) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  ControlsServer server(directory_settings(directory));
  const auto login = server.login("alice", kDirectoryPassword);
  ASSERT_EQ(login.status, 200) << login.body << server.process().log();
  EXPECT_EQ(login.json().at("role"), "operator");
  remember_secret(login.json().at("apiKey").get<std::string>());

  const auto user = server.http().get("/api/users/alice", api_key(server.system_key()));
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(user.json().at("email"), "alice@plant.test");
  EXPECT_EQ(user.json().at("name"), "Alice");
  EXPECT_EQ(user.json().at("lastname"), "Archer");
  EXPECT_EQ(query_sql(server.process(),
                      "SELECT d.dn FROM directory_accounts d JOIN users u ON u.id = d.user_id"
                      " WHERE u.username = 'alice'"),
            "uid=alice,ou=people,dc=plant,dc=test");
  std::string outcome;
  EXPECT_EQ(audit_reason(server, "login", "alice", &outcome),
            "amr=pwd; directory login; user created with role operator");
  EXPECT_EQ(outcome, "success");
  // The row holds no password of its own.
  EXPECT_EQ(query_sql(server.process(), "SELECT password FROM users WHERE username = 'alice'"), "");

  // The session works like any other.
  const auto me = server.http().get("/api/users/me", api_key(login.json().at("apiKey")));
  EXPECT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, TheRoleFollowsTheGroupsAtEachLogin) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  const std::string uid = add_person(directory, kOperators);
  ControlsServer server(directory_settings(directory));
  auto login = server.login(uid, kDirectoryPassword);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json().at("role"), "operator");

  // In operators and engineers: the most privileged mapped role (supervisor, level 2).
  set_membership(directory, uid, kEngineers, true);
  login = server.login(uid, kDirectoryPassword);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json().at("role"), "supervisor");
  EXPECT_EQ(audit_reason(server, "login", uid),
            "amr=pwd; directory login; role operator -> supervisor from its groups");

  set_membership(directory, uid, kEngineers, false);
  login = server.login(uid, kDirectoryPassword);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json().at("role"), "operator");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, RefusalsAnswerLikeAWrongPasswordAndTheTrailSaysWhy) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  ControlsServer server(directory_settings(directory));
  struct Case {
    std::string username, password, reason;
  };
  const Case cases[] = {
      {"alice", "Wrong-Passw0rd", "directory: wrong password"},
      {"carol", kDirectoryPassword, "directory: no group of the user maps to a role"},
      {"dave", kDirectoryPassword, "directory: account disabled"},
      {"erin", kDirectoryPassword,
       "directory: the password must be changed in the directory first"},
      {"nobody", kDirectoryPassword, "directory: no such user"},
  };
  for (const Case& c : cases) {
    const auto login = server.login(c.username, c.password);
    EXPECT_EQ(login.status, 403) << c.username << ": " << login.body;
    EXPECT_EQ(login.json(), kInvalidCredentials) << c.username;
    std::string outcome;
    EXPECT_EQ(audit_reason(server, "login", c.username, &outcome), c.reason) << c.username;
    EXPECT_EQ(outcome, "failure") << c.username;
  }
  // None of them got a user row.
  for (const char* name : {"carol", "dave", "erin", "nobody"}) {
    EXPECT_EQ(query_sql(server.process(),
                        "SELECT COUNT(*) FROM users WHERE username = '" + std::string(name) + "'"),
              "0")
        << name;
  }
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, AnInjectedFilterFindsNobody) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  ControlsServer server(directory_settings(directory));
  // Unescaped, (uid=*)(uid=*) would match every person, and the password of any one would do.
  for (const std::string name : {"*)(uid=*", "*", "alice)(uid=*", "al*"}) {
    const auto login = server.login(name, kDirectoryPassword);
    EXPECT_EQ(login.status, 403) << name << ": " << login.body;
    EXPECT_EQ(audit_reason(server, "login", name), "directory: no such user") << name;
  }
  EXPECT_EQ(query_sql(server.process(), "SELECT COUNT(*) FROM directory_accounts"), "0");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, WrongDirectoryPasswordsAreThrottledLikeLocalOnes) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  const std::string uid = add_person(directory, kOperators);
  Env env = directory_settings(directory);
  env["AUTOMATION_LOGIN_MAX_FAILURES"] = "3";
  ControlsServer server(env);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(server.login(uid, "Wrong-Passw0rd").status, 403);
  }
  const auto held = server.login(uid, kDirectoryPassword);
  EXPECT_EQ(held.status, 429) << "the right password waits too: " << held.body;
  EXPECT_FALSE(held.header("Retry-After").empty());
  std::string outcome;
  audit_reason(server, "login", uid, &outcome);
  EXPECT_EQ(outcome, "throttled");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, StartTlsOnLdapUrlsWorks) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  Env env = directory_settings(directory);
  env["AUTOMATION_LDAP_URLS"] = directory.url;
  env["AUTOMATION_LDAP_START_TLS"] = "true";
  ControlsServer server(env);
  const auto login = server.login("bob", kDirectoryPassword);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json().at("role"), "supervisor");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, GroupsCanBeFoundByASearchInsteadOfMemberOf) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  Env env = directory_settings(directory);
  env["AUTOMATION_LDAP_GROUP_FILTER"] = "(&(objectClass=groupOfNames)(member={dn}))";
  env["AUTOMATION_LDAP_GROUP_BASE"] = "ou=groups,dc=plant,dc=test";
  env["AUTOMATION_LDAP_GROUP_ATTRIBUTE"] = "description";  // not where groups are, here
  ControlsServer server(env);
  const auto login = server.login("bob", kDirectoryPassword);
  ASSERT_EQ(login.status, 200) << login.body;
  // engineers => supervisor; engineers is itself a member of supervisors (=> admin), which a
  // plain member search does not follow (Active Directory's matching rule
  // 1.2.840.113556.1.4.1941 in the filter does; slapd has no such rule).
  EXPECT_EQ(login.json().at("role"), "supervisor");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, ACertificateFromAnotherCaIsRefused) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  Env env = directory_settings(directory);
  env["AUTOMATION_LDAP_CA_FILE"] = directory.other_ca_file;
  ControlsServer server(env);
  const auto login = server.login("alice", kDirectoryPassword);
  EXPECT_EQ(login.status, 503) << login.body;
  std::string outcome;
  const std::string reason = audit_reason(server, "login", "alice", &outcome);
  EXPECT_TRUE(reason.starts_with("directory unreachable")) << reason;
  EXPECT_EQ(outcome, "failure");
  EXPECT_EQ(query_sql(server.process(), "SELECT COUNT(*) FROM users WHERE username = 'alice'"),
            "0");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, TheSecondServerAnswersWhenTheFirstIsDown) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  Env env = directory_settings(directory);
  env["AUTOMATION_LDAP_URLS"] =
      "ldaps://127.0.0.1:" + std::to_string(pick_free_port()) + "," + directory.ldaps_url;
  ControlsServer server(env);
  const auto login = server.login("alice", kDirectoryPassword);
  EXPECT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, ADirectoryUsersPasswordIsTheDirectorys) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  ControlsServer server(directory_settings(directory));
  const std::string key = server.key_of("alice", kDirectoryPassword);
  server.add_user("plant_admin", "admin");  // may reset an operator's password
  const auto reset = server.reset(server.key_of("plant_admin"), "alice", "An0ther-Passw0rd!");
  EXPECT_EQ(reset.status, 400) << reset.body;
  EXPECT_EQ(reset.json().value("error_type", ""), "directory_managed") << reset.body;
  const auto change = server.http().post("/api/users/change_password",
                                         json{{"target_username", "alice"},
                                              {"current_password", kDirectoryPassword},
                                              {"new_password", "An0ther-Passw0rd!"}},
                                         api_key(key));
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(change.json().value("error_type", ""), "directory_managed");
  const auto own_reset = server.reset(key, "alice", "An0ther-Passw0rd!");
  EXPECT_EQ(own_reset.status, 400) << own_reset.body;
  EXPECT_EQ(own_reset.json().value("error_type", ""), "directory_managed");
  EXPECT_EQ(server.login("alice", "An0ther-Passw0rd!").status, 403);
  EXPECT_EQ(server.login("alice", kDirectoryPassword).status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

// An electronic signature (docs/signatures.md) re-enters the password: a directory user's is
// checked by the directory, and a wrong one is refused like a wrong local one.
TEST(DirectoryLogin, ADirectoryUserSignsWithTheDirectoryPassword) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  ControlsServer server(directory_settings(directory));
  const std::string key = server.key_of("alice", kDirectoryPassword);
  auto sign = [&](const std::string& password) {
    return server.http().post("/api/signatures",
                              json{{"username", "alice"},
                                   {"password", password},
                                   {"meaning", "performed"},
                                   {"record_type", "batch"},
                                   {"record_id", "B-9"},
                                   {"record_digest", sha256_hex("batch B-9")}},
                              api_key(key));
  };
  const auto wrong = sign("Wrong-Passw0rd-1");
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  EXPECT_EQ(wrong.json().value("error_type", ""), "invalid_credentials");
  const auto signed_it = sign(kDirectoryPassword);
  ASSERT_EQ(signed_it.status, 200) << signed_it.body;
  EXPECT_EQ(signed_it.json().at("printed_name"), "Alice Archer");
  EXPECT_EQ(signed_it.json().at("role"), "operator");
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, LocalAccountsLogInLocallyWhateverTheDirectorySays) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  ControlsServer server(directory_settings(directory));
  // A local "bob" made before the directory's bob ever logged in stays local: the directory's
  // password is not his, his own is.
  server.add_user("bob", "operator");
  EXPECT_EQ(server.login("bob", kDirectoryPassword).status, 403);
  const auto local = server.login("bob", kUserPassword);
  ASSERT_EQ(local.status, 200) << local.body;
  EXPECT_EQ(local.json().at("role"), "operator") << "not supervisor from the groups";
  EXPECT_EQ(query_sql(server.process(), "SELECT COUNT(*) FROM directory_accounts"), "0");
  EXPECT_EQ(server.login("system", kSystemPassword).status, 200);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(DirectoryLogin, SettingsThatCannotWorkAreRefusedAtStart) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  struct Case {
    std::string key, value, complaint;
  };
  const Case cases[] = {
      {"AUTOMATION_LDAP_URLS", directory.url, "sends passwords in clear"},
      {"AUTOMATION_LDAP_URLS", "http://dc1", "is not an ldaps:// or ldap:// URL"},
      {"AUTOMATION_LDAP_GROUP_ROLE_MAP", std::string(kOperators) + " => sudo",
       "the directory never grants sudo"},
      {"AUTOMATION_LDAP_USER_FILTER", "(uid=alice)", "must contain {username}"},
      {"AUTOMATION_LDAP_USER_BASE", "", "AUTOMATION_LDAP_USER_BASE: must be set"},
  };
  for (const Case& c : cases) {
    Env env = directory_settings(directory);
    env[c.key] = c.value;
    ServerProcess process(env);
    EXPECT_NE(process.run_expecting_exit(), 0) << c.key;
    EXPECT_NE(process.log().find(c.complaint), std::string::npos) << c.key << ": " << process.log();
  }
}

}  // namespace
}  // namespace automation::testing
