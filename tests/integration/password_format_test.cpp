// AUTOMATION_PASSWORD_FORMAT=werkzeug: the way back to upstream PyAutomation after a trial.
// Hashes the service writes are checked with werkzeug's own check_password_hash (Debian's
// python3-werkzeug), never with the project's code.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

// The exit code of werkzeug's check_password_hash(hash, password): 0 true, 1 false, else the
// check could not run.
int werkzeug_check(const std::string& hash, const std::string& password) {
  // Appended piece by piece: g++ 12 at -O2 warns falsely (-Warray-bounds) on a chain of `+`.
  std::string command = kPython;
  command += " -c 'import sys; from werkzeug.security import check_password_hash; "
             "sys.exit(0 if check_password_hash(sys.argv[1], sys.argv[2]) else 1)' '";
  command += hash;
  command += "' '";
  command += password;
  command += "'";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool werkzeug_available() {
  return std::system((std::string(kPython) + " -c 'import werkzeug' 2>/dev/null").c_str()) == 0;
}

std::string stored_hash(const ServerProcess& server, const std::string& username) {
  return query_sql(server, "SELECT password FROM users WHERE username = '" + username + "'");
}

// Logs in over a fresh client (a restart moves the server to another port).
HttpResponse login(const ServerProcess& server, const std::string& name,
                   const std::string& password) {
  HttpClient http(server.base_url());
  return http.post("/api/users/login",
                   nlohmann::json{{"username", name}, {"password", password}});
}

std::string key_of(const ServerProcess& server, const std::string& name,
                   const std::string& password) {
  const auto response = login(server, name, password);
  EXPECT_EQ(response.status, 200) << response.body;
  const std::string key = response.json().value("apiKey", "");
  remember_secret(key);
  return key;
}

void restart_with_format(ServerProcess& server, const std::string& format) {
  ASSERT_EQ(server.stop(), 0);
  server.set_setting("AUTOMATION_PASSWORD_FORMAT", format);
  server.start();
}

TEST(PasswordFormat, WerkzeugHashesAreReadByUpstreamAndArgon2idOnesAreRewritten) {
  if (!werkzeug_available()) {
    if (std::getenv("CI") != nullptr) FAIL() << "python3-werkzeug is not installed";
    GTEST_SKIP() << "python3-werkzeug is not installed";
  }
  ServerProcess server;
  server.start();
  auto signup = [&](const std::string& name) {
    HttpClient http(server.base_url());
    const auto response = http.post(
        "/api/users/signup",
        nlohmann::json{{"username", name}, {"email", name + "@plant.local"},
                       {"password", kUserPassword}, {"role_name", "operator"}},
        api_key(key_of(server, "system", kSystemPassword)));
    EXPECT_EQ(response.status, 200) << response.body;
  };
  signup("trial_user");
  ASSERT_TRUE(stored_hash(server, "trial_user").starts_with("$argon2id$"));

  // A plant goes back to upstream: the same database, served with the werkzeug format. The
  // Argon2id hash is rewritten at the user's next login, in a form upstream can check.
  restart_with_format(server, "werkzeug");
  EXPECT_EQ(login(server, "trial_user", kUserPassword).status, 200);
  const std::string rewritten = stored_hash(server, "trial_user");
  EXPECT_TRUE(rewritten.starts_with("pbkdf2:sha256:600000$")) << rewritten;
  EXPECT_EQ(werkzeug_check(rewritten, kUserPassword), 0);
  EXPECT_EQ(werkzeug_check(rewritten, "not the password"), 1);

  // New users and changed passwords are written so that upstream can check them too.
  signup("new_in_werkzeug");
  EXPECT_EQ(werkzeug_check(stored_hash(server, "new_in_werkzeug"), kUserPassword), 0);
  const std::string changed = "Changed-Passw0rd-long";
  remember_secret(changed);
  HttpClient http(server.base_url());
  const auto change = http.post(
      "/api/users/change_password",
      nlohmann::json{{"target_username", "new_in_werkzeug"},
                     {"current_password", kUserPassword},
                     {"new_password", changed}},
      api_key(key_of(server, "new_in_werkzeug", kUserPassword)));
  ASSERT_EQ(change.status, 200) << change.body;
  EXPECT_EQ(werkzeug_check(stored_hash(server, "new_in_werkzeug"), changed), 0);

  // A werkzeug hash is kept as it is at login (upstream wrote it, upstream must read it).
  EXPECT_EQ(login(server, "trial_user", kUserPassword).status, 200);
  EXPECT_EQ(stored_hash(server, "trial_user"), rewritten);

  // And forward again: the default format upgrades it to Argon2id at the next login.
  restart_with_format(server, "argon2id");
  EXPECT_EQ(login(server, "trial_user", kUserPassword).status, 200);
  EXPECT_TRUE(stored_hash(server, "trial_user").starts_with("$argon2id$"));
}

}  // namespace
}  // namespace automation::testing
