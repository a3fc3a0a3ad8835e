#pragma once

// The fixture most integration tests share: one real server per test process (started on
// first use, stopped at the end with SIGTERM, asserting exit code 0 and a log free of
// secrets), the system user's session, and helpers to create users and sessions.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "http_client.hpp"
#include "server_process.hpp"

namespace automation::testing {

inline constexpr const char* kUserPassword = "Us3r-Passw0rd-long";

class ApiTest : public ::testing::Test {
 protected:
  // The shared server and the system user's API key (one login per process).
  static ServerProcess& server();
  static const std::string& system_key();

  HttpClient& http();

  // A fresh valid username ("<prefix>_<n>"), unique within the server's database.
  static std::string unique_name(std::string_view prefix);
  // Signs up `username` with `role` through the system key; ADD_FAILURE unless 200.
  nlohmann::json create_user(const std::string& username, const std::string& role,
                             const std::string& password = kUserPassword);
  // Logs in and returns the API key; ADD_FAILURE (and "") unless 200.
  std::string login(const std::string& username, const std::string& password = kUserPassword);
  // total_records of the paginated user list, as seen by the system user.
  long long visible_user_count();

 private:
  std::unique_ptr<HttpClient> http_;
};

// Every password and key a test used; the shared server's log must contain none of them.
void remember_secret(const std::string& secret);
const std::set<std::string>& remembered_secrets();

// Runs one SQL statement on the server's database directly, as someone with database access
// would (to make data old, or to tamper with it); ASSERTs that it succeeded.
void run_sql(const ServerProcess& server, const std::string& statement);
// The same for a query: the first column of the first row as text ("" for none or NULL).
std::string query_sql(const ServerProcess& server, const std::string& statement);

// Lowercase hex SHA-256 of text (OpenSSL's).
std::string sha256_hex(const std::string& text);

// True for "MM/DD/YYYY, HH:MM:SS" (the login `datetime`).
bool is_login_datetime(const std::string& text);

// A fresh key of the system account on the server `client` talks to; throws when the login fails
// (for tests that start servers of their own, outside a fixture).
std::string login_as_system(HttpClient& client);

// EXPECT upstream's JSON shape of a role ({identifier, name, level}) and of a user
// ({identifier, username, role, email, name, lastname}), key for key and type for type.
void expect_role_shape(const nlohmann::json& role);
void expect_user_shape(const nlohmann::json& user);

// EXPECT that `text` contains no password hash marker, no remembered secret.
void expect_no_secrets(const std::string& text, const std::string& what);

}  // namespace automation::testing
