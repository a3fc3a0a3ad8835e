#pragma once

// The throw-away slapd that scripts/ldap-server.sh starts (AUTOMATION_TEST_LDAP_*), the
// settings that point a test server at it, and directory edits as an administrator would make
// them (ldapmodify). Without the variables the directory tests skip with one line.

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include "controls_server.hpp"

namespace automation::testing {

// Every person's password in the test directory.
inline constexpr const char* kDirectoryPassword = "Directory-Passw0rd";
inline constexpr const char* kPeople = "ou=people,dc=plant,dc=test";
inline constexpr const char* kOperators = "cn=operators,ou=groups,dc=plant,dc=test";
inline constexpr const char* kEngineers = "cn=engineers,ou=groups,dc=plant,dc=test";
inline constexpr const char* kSupervisors = "cn=supervisors,ou=groups,dc=plant,dc=test";

struct DirectoryServer {
  std::string url;        // ldap:// (StartTLS)
  std::string ldaps_url;  // ldaps://
  std::string ca_file, other_ca_file, bind_dn, bind_password_file, admin_dn, admin_password;
};

inline std::optional<DirectoryServer> directory_server() {
  const char* url = std::getenv("AUTOMATION_TEST_LDAP_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  auto env = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value != nullptr ? value : "");
  };
  return DirectoryServer{url,
                         env("AUTOMATION_TEST_LDAPS_URL"),
                         env("AUTOMATION_TEST_LDAP_CA_FILE"),
                         env("AUTOMATION_TEST_LDAP_OTHER_CA_FILE"),
                         env("AUTOMATION_TEST_LDAP_BIND_DN"),
                         env("AUTOMATION_TEST_LDAP_BIND_PASSWORD_FILE"),
                         env("AUTOMATION_TEST_LDAP_ADMIN_DN"),
                         env("AUTOMATION_TEST_LDAP_ADMIN_PASSWORD")};
}

#define AUTOMATION_REQUIRE_DIRECTORY(var)                                                    \
  const auto var##_found = directory_server();                                               \
  if (!var##_found) GTEST_SKIP() << "no test directory (scripts/ldap-server.sh starts one)"; \
  const DirectoryServer& var = *var##_found

// A server's settings for the test directory over LDAPS: operators => operator,
// engineers => supervisor, supervisors => admin; short timeouts.
inline Env directory_settings(const DirectoryServer& directory) {
  // Appended rather than one chain of operator+, which g++ 12 answers with a false
  // -Warray-bounds in some of the files that include this.
  std::string role_map = kOperators;
  for (const char* part : {" => operator; ", kEngineers, " => supervisor; ", kSupervisors,
                           " => admin"}) {
    role_map += part;
  }
  return Env{
      {"AUTOMATION_LDAP_URLS", directory.ldaps_url},
      {"AUTOMATION_LDAP_CA_FILE", directory.ca_file},
      {"AUTOMATION_LDAP_TIMEOUT", "2"},
      {"AUTOMATION_LDAP_BIND_DN", directory.bind_dn},
      {"AUTOMATION_LDAP_BIND_PASSWORD_FILE", directory.bind_password_file},
      {"AUTOMATION_LDAP_USER_BASE", kPeople},
      {"AUTOMATION_LDAP_GROUP_ROLE_MAP", role_map}};
}

// Applies `ldif` (changetype records) as the directory's administrator.
inline void modify_directory(const DirectoryServer& directory, const std::string& ldif) {
  const std::string command = "ldapmodify -x -H '" + directory.url + "' -D '" + directory.admin_dn +
                              "' -w '" + directory.admin_password + "' >/dev/null";
  FILE* pipe = ::popen(command.c_str(), "w");
  ASSERT_NE(pipe, nullptr);
  std::fwrite(ldif.data(), 1, ldif.size(), pipe);
  ASSERT_EQ(::pclose(pipe), 0) << "ldapmodify refused:\n" << ldif;
}

// A person of the test's own (unique across the test processes sharing the directory), in
// `group` ("" = none). Returns the username.
inline std::string add_person(const DirectoryServer& directory, const std::string& group) {
  static std::atomic<int> counter{0};
  const std::string uid = "p" + std::to_string(::getpid()) + "n" + std::to_string(++counter);
  std::string ldif = "dn: uid=" + uid + "," + kPeople +
                     "\nchangetype: add\nobjectClass: inetOrgPerson\nuid: " + uid + "\ncn: " + uid +
                     "\ngivenName: Test\nsn: Person\nmail: " + uid +
                     "@plant.test\nuserPassword: " + kDirectoryPassword + "\n\n";
  if (!group.empty()) {
    ldif += "dn: " + group + "\nchangetype: modify\nadd: member\nmember: uid=" + uid + "," +
            kPeople + "\n\n";
  }
  modify_directory(directory, ldif);
  return uid;
}

inline void set_membership(const DirectoryServer& directory, const std::string& uid,
                           const std::string& group, bool member) {
  modify_directory(directory, "dn: " + group + "\nchangetype: modify\n" +
                                  (member ? "add" : "delete") + ": member\nmember: uid=" + uid +
                                  "," + kPeople + "\n\n");
}

// The reason of the newest audit event `event` on `target`, "" when there is none.
inline std::string audit_reason(ControlsServer& server, const std::string& event,
                                const std::string& target, std::string* outcome = nullptr) {
  const auto trail = server.http().get("/api/users/audit?limit=1000", api_key(server.system_key()));
  for (const auto& entry : trail.json()) {  // newest first
    if (entry.at("event") == event && entry.at("target") == target) {
      if (outcome != nullptr) *outcome = entry.at("outcome").get<std::string>();
      return entry.value("reason", "");
    }
  }
  return "";
}

}  // namespace automation::testing

namespace automation::testing {

// Settings that make a second server use `server`'s database (another node of a cluster).
inline Env same_database_as(const ServerProcess& server) {
  if (const ScratchDatabase* database = server.server_database()) {
    return Env{{"AUTOMATION_DB_NAME", database->name()}};
  }
  return Env{{"AUTOMATION_DB_FILE", server.db_file().string()}};
}

// An ldaps:// URL where nothing listens: a directory that is down.
inline std::string dead_directory_url() {
  return "ldaps://127.0.0.1:" + std::to_string(pick_free_port());
}

}  // namespace automation::testing
