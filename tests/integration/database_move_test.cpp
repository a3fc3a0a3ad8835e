// Moving from the embedded default to PostgreSQL or MySQL with the real binary: data made
// through the HTTP API on SQLite, `automation db copy` into a fresh database of the run's
// server, and the server started on it honours the old keys, tokens and passwords.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "test_backend.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

// These tests use SQLite and the run's database server, so they run in the PostgreSQL and
// MySQL runs (which skip, saying so, when there is no test server).
#define SKIP_UNLESS_SERVER_RUN()                                                             \
  if (run_backend() == TestBackend::kSqlite) {                                               \
    GTEST_SKIP() << "needs SQLite and a database server: runs in the pg. and my. runs"; \
  }

std::string login(HttpClient& http, const std::string& username, const std::string& password) {
  const auto response =
      http.post("/api/users/login", json{{"username", username}, {"password", password}});
  EXPECT_EQ(response.status, 200) << response.body;
  return response.status == 200 ? response.json().at("apiKey").get<std::string>() : "";
}

TEST(DatabaseMove, CopiedSqliteDataWorksOnTheServer) {
  SKIP_UNLESS_SERVER_RUN();
  // No AUTOMATION_APP_SECRET_KEY: the TPT secret is generated and kept in the database, so
  // the token below stays valid only if the copy carries the secret over.
  const std::map<std::string, std::string> generated_secret = {
      {"AUTOMATION_APP_SECRET_KEY", kUnsetSetting}};
  ServerProcess sqlite(generated_secret, TestBackend::kSqlite);
  sqlite.start();
  std::string operator_key;
  std::string token;
  std::string revoked_jti;
  std::string revoked_token;
  {
    HttpClient http(sqlite.base_url());
    const std::string system_key = login(http, "system", kSystemPassword);
    ASSERT_FALSE(system_key.empty());
    for (const auto& [name, role] : {std::pair{"moved_admin", "admin"},
                                     std::pair{"moved_operator", "operator"}}) {
      const auto created = http.post(
          "/api/users/signup",
          json{{"username", name}, {"email", std::string(name) + "@plant.example"},
               {"password", kUserPassword}, {"role_name", role}, {"name", "Moved"}},
          api_key(system_key));
      ASSERT_EQ(created.status, 200) << created.body;
    }
    operator_key = login(http, "moved_operator", kUserPassword);
    const auto tpt = http.post("/api/users/create_tpt",
                               json{{"role_name", "operator"}, {"description", "historian"}},
                               api_key(system_key));
    ASSERT_EQ(tpt.status, 200) << tpt.body;
    token = tpt.json().at("token").get<std::string>();
    const auto second = http.post("/api/users/create_tpt", json{{"role_name", "guest"}},
                                  api_key(system_key));
    ASSERT_EQ(second.status, 200) << second.body;
    revoked_jti = second.json().at("jti").get<std::string>();
    revoked_token = second.json().at("token").get<std::string>();
    ASSERT_EQ(http.del("/api/users/tpts/" + revoked_jti, api_key(system_key)).status, 200);
  }
  ASSERT_EQ(sqlite.stop(), 0);

  ServerProcess target(generated_secret, run_backend());
  std::string output;
  ASSERT_EQ(target.run_cli({"db", "copy", "--from-sqlite", sqlite.db_file().string()},
                               &output),
            0)
      << output;
  // Counts per table; 7 roles would be wrong: the six defaults only.
  EXPECT_NE(output.find("roles\t6"), std::string::npos) << output;
  EXPECT_NE(output.find("users\t3"), std::string::npos) << output;  // system + 2
  EXPECT_NE(output.find("tpts\t2"), std::string::npos) << output;
  EXPECT_NE(output.find("settings\t"), std::string::npos) << output;
  EXPECT_NE(output.find("audit_events\t"), std::string::npos) << output;

  target.start();
  HttpClient http(target.base_url());
  // The old API key (its digest was copied) and its user.
  const auto me = http.get("/api/users/me", api_key(operator_key));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("username"), "moved_operator");
  EXPECT_EQ(me.json().at("name"), "Moved");
  // The TPT signed with the generated secret, and the revocation that came with it.
  EXPECT_EQ(http.get("/api/users/", api_key(token)).status, 200);
  EXPECT_EQ(http.get("/api/users/", api_key(revoked_token)).status, 401);
  // Passwords as stored, and new rows after the copied ids (sequences moved on).
  const std::string admin_key = login(http, "moved_admin", kUserPassword);
  ASSERT_FALSE(admin_key.empty());
  const auto fresh = http.post(
      "/api/users/signup",
      json{{"username", "after_move"}, {"email", "after_move@plant.example"},
           {"password", kUserPassword}},
      api_key(admin_key));
  EXPECT_EQ(fresh.status, 200) << fresh.body;
  const auto role = http.post("/api/users/roles/add", json{{"name", "maintainer"}, {"level", 5}},
                              api_key(admin_key));
  EXPECT_EQ(role.status, 200) << role.body;
  const auto audit = http.get("/api/users/audit?limit=500", api_key(admin_key));
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("tpt_revoke"), std::string::npos) << "audit events were copied";
  EXPECT_EQ(target.stop(), 0);
  remember_secret(operator_key);
  remember_secret(token);
  expect_no_secrets(target.log(), "server log");
}

TEST(DatabaseMove, NonEmptyTargetIsRefusedWithoutReplace) {
  SKIP_UNLESS_SERVER_RUN();
  ServerProcess sqlite({}, TestBackend::kSqlite);
  sqlite.start();
  ASSERT_EQ(sqlite.stop(), 0);
  // A target a server has started on holds roles and the system user.
  ServerProcess target({}, run_backend());
  target.start();
  {
    HttpClient http(target.base_url());
    const auto created = http.post("/api/users/signup",
                                   json{{"username", "kept_user"},
                                        {"email", "kept_user@plant.example"},
                                        {"password", kUserPassword}});
    ASSERT_EQ(created.status, 200) << created.body;
  }
  ASSERT_EQ(target.stop(), 0);
  const std::vector<std::string> copy = {"db", "copy", "--from-sqlite",
                                         sqlite.db_file().string()};
  std::string output;
  EXPECT_EQ(target.run_cli(copy, &output), 1) << output;
  EXPECT_NE(output.find("not empty"), std::string::npos) << output;
  EXPECT_NE(output.find("--replace"), std::string::npos) << output;
  // Nothing changed: the user made on the target is still there.
  EXPECT_EQ(target.server_database()->query(
                "SELECT COUNT(*) FROM users WHERE username = 'kept_user'"),
            "1");

  std::vector<std::string> replace = copy;
  replace.push_back("--replace");
  EXPECT_EQ(target.run_cli(replace, &output), 0) << output;
  EXPECT_EQ(target.server_database()->query(
                "SELECT COUNT(*) FROM users WHERE username = 'kept_user'"),
            "0");
  EXPECT_EQ(target.server_database()->query("SELECT COUNT(*) FROM users"), "1");  // system
}

TEST(DatabaseMove, BadSourceOrUnreachableTargetIsOneLineAndCreatesNothing) {
  SKIP_UNLESS_SERVER_RUN();
  ServerProcess target({}, run_backend());
  std::string output;
  // A source that does not exist: exit 1, and no file is created in its place.
  EXPECT_EQ(target.run_cli({"db", "copy", "--from-sqlite", "/nonexistent/source.db"},
                               &output),
            1)
      << output;
  EXPECT_NE(output.find("/nonexistent/source.db"), std::string::npos) << output;
  // A file that is not a SQLite database.
  const auto junk = target.db_file().parent_path() / "junk.db";
  {
    std::ofstream out(junk);
    out << "this is not a database, just text long enough to fill a header page";
  }
  EXPECT_EQ(target.run_cli({"db", "copy", "--from-sqlite", junk.string()}, &output), 1)
      << output;
  EXPECT_NE(output.find("junk.db"), std::string::npos) << output;
  // The source is checked before the target is touched: not even migrated.
  EXPECT_TRUE(target.database_untouched());

  // Wrong password: exit 2, one line naming the settings to check.
  ServerProcess wrong_password({{"AUTOMATION_DB_PASSWORD", "not-the-password"}},
                               run_backend());
  EXPECT_EQ(wrong_password.run_cli({"db", "migrate"}, &output), 2) << output;
  EXPECT_NE(output.find("AUTOMATION_DB_PASSWORD"), std::string::npos) << output;
  EXPECT_EQ(output.find('\n'), output.size() - 1) << "one line: " << output;
  EXPECT_EQ(output.find("not-the-password"), std::string::npos) << output;
  EXPECT_TRUE(wrong_password.database_untouched());
  // Nothing listening: exit 2 naming the host and port.
  ServerProcess nothing_there({{"AUTOMATION_DB_PORT", std::to_string(pick_free_port())}},
                              run_backend());
  EXPECT_EQ(nothing_there.run_cli({"db", "migrate"}, &output), 2) << output;
  EXPECT_NE(output.find("AUTOMATION_DB_HOST"), std::string::npos) << output;
  EXPECT_NE(output.find("AUTOMATION_DB_PORT"), std::string::npos) << output;

  // And the happy path: migrate prints the version.
  EXPECT_EQ(target.run_cli({"db", "migrate"}, &output), 0) << output;
  EXPECT_NE(output.find("schema version "), std::string::npos) << output;
}

}  // namespace
}  // namespace automation::testing
