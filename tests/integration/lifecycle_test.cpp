// Tests that need a server of their own: login throttling with a low limit, configuration
// (time zone, signup switch), restarts over the same database, graceful shutdown.

#include <gtest/gtest.h>

#include <filesystem>

#include <csignal>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

std::string login_key(HttpClient& http, const std::string& username, const std::string& password) {
  const auto response =
      http.post("/api/users/login", json{{"username", username}, {"password", password}});
  EXPECT_EQ(response.status, 200) << response.body;
  if (response.status != 200) return {};
  return response.json().at("apiKey").get<std::string>();
}

void signup(HttpClient& http, const std::string& username) {
  const auto response = http.post("/api/users/signup", json{{"username", username},
                                                            {"email", username + "@plant.example"},
                                                            {"password", kUserPassword}});
  ASSERT_EQ(response.status, 200) << response.body;
}

TEST(Lifecycle, ThrottlesAnAccountAfterMaxFailuresEvenWithTheRightPassword) {
  ServerProcess server(
      {{"AUTOMATION_LOGIN_MAX_FAILURES", "3"}, {"AUTOMATION_LOGIN_WINDOW", "600"}});
  server.start();
  HttpClient http(server.base_url());
  signup(http, "throttled_user");
  signup(http, "bystander");
  const json wrong = {{"username", "throttled_user"}, {"password", "wrong-password!"}};
  for (int i = 0; i < 3; ++i) {
    const auto response = http.post("/api/users/login", wrong);
    EXPECT_EQ(response.status, 403) << i << ": " << response.body;
  }
  const auto throttled = http.post(
      "/api/users/login", json{{"username", "throttled_user"}, {"password", kUserPassword}});
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_TRUE(throttled.json().at("message").is_string());
  const std::string retry_after = throttled.header("Retry-After");
  ASSERT_FALSE(retry_after.empty());
  EXPECT_GT(std::stol(retry_after), 0);
  EXPECT_LE(std::stol(retry_after), 600);
  // Other accounts are not affected.
  EXPECT_FALSE(login_key(http, "bystander", kUserPassword).empty());
  EXPECT_EQ(server.stop(), 0);
  expect_no_secrets(server.log(), "server log");
}

TEST(Lifecycle, ThrottleCountsTheAccountWhicheverNameIsUsed) {
  ServerProcess server(
      {{"AUTOMATION_LOGIN_MAX_FAILURES", "3"}, {"AUTOMATION_LOGIN_WINDOW", "600"}});
  server.start();
  HttpClient http(server.base_url());
  signup(http, "two_names");
  for (int i = 0; i < 3; ++i) {
    const auto response = http.post(
        "/api/users/login", json{{"username", "two_names"}, {"password", "wrong-password!"}});
    EXPECT_EQ(response.status, 403) << i << ": " << response.body;
  }
  // The same account by its e-mail address: still throttled (SPEC §3: per account).
  const auto by_email = http.post(
      "/api/users/login", json{{"email", "two_names@plant.example"}, {"password", kUserPassword}});
  EXPECT_EQ(by_email.status, 429) << by_email.body;
  EXPECT_FALSE(by_email.header("Retry-After").empty());
  EXPECT_EQ(server.stop(), 0);
}

TEST(Lifecycle, ConfiguredTimeZoneAndSignupSwitch) {
  ServerProcess server(
      {{"AUTOMATION_TIMEZONE", "Europe/Madrid"}, {"AUTOMATION_ALLOW_SIGNUP", "false"}});
  server.start();
  HttpClient http(server.base_url());
  const auto login =
      http.post("/api/users/login", json{{"username", "system"}, {"password", kSystemPassword}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json().at("timezone"), "Europe/Madrid");
  EXPECT_TRUE(is_login_datetime(login.json().at("datetime").get<std::string>()));
  const std::string key = login.json().at("apiKey");
  const json request = {{"username", "closed_door"},
                        {"email", "closed_door@plant.example"},
                        {"password", kUserPassword}};
  EXPECT_EQ(http.post("/api/users/signup", request).status, 403);
  // An admin or sudo key still may.
  EXPECT_EQ(http.post("/api/users/signup", request, api_key(key)).status, 200);
  EXPECT_EQ(server.stop(), 0);
}

TEST(Lifecycle, UnknownTimeZoneStopsTheServerWithAClearError) {
  ServerProcess server(
      std::map<std::string, std::string>{{"AUTOMATION_TIMEZONE", "Mars/Olympus_Mons"}});
  const int code = server.run_expecting_exit();
  EXPECT_NE(code, 0);
  EXPECT_NE(code, -1) << "still running";
  EXPECT_NE(server.log().find("Mars/Olympus_Mons"), std::string::npos) << server.log();
  // Refused before the database is touched: nothing created, no system password printed.
  EXPECT_TRUE(server.database_untouched());
  EXPECT_EQ(server.log().find("password"), std::string::npos) << server.log();
}

TEST(Lifecycle, BadConfigurationIsOneLineNamingTheKey) {
  for (const auto& [key, value] : std::map<std::string, std::string>{
           // (port and database type come from the harness's flags, which win over env)
           {"AUTOMATION_SESSION_TTL", "-1"},
           {"AUTOMATION_ALLOW_SIGNUP", "maybe"},
           {"AUTOMATION_APP_SECRET_KEY", "too-short"},
           {"AUTOMATION_MAX_CONNECTIONS", "lots"},
           {"AUTOMATION_READ_TIMEOUT", "0"},
           {"AUTOMATION_WRITE_TIMEOUT", "-5"}}) {
    ServerProcess server(std::map<std::string, std::string>{{key, value}});
    EXPECT_EQ(server.run_expecting_exit(10), 2) << key;
    EXPECT_NE(server.log().find(key + ":"), std::string::npos) << server.log();
    EXPECT_TRUE(server.database_untouched()) << key;
  }
}

// PostgreSQL and MySQL alike.
TEST(Lifecycle, UnreachableOrRefusingDatabaseServerIsOneLineNamingTheSettings) {
  if (run_backend() == TestBackend::kSqlite) GTEST_SKIP() << "database server settings only";
  ServerProcess wrong_password(
      std::map<std::string, std::string>{{"AUTOMATION_DB_PASSWORD", "not-the-password"}});
  EXPECT_EQ(wrong_password.run_expecting_exit(), 2);
  EXPECT_NE(wrong_password.log().find("AUTOMATION_DB_PASSWORD"), std::string::npos)
      << wrong_password.log();
  EXPECT_EQ(wrong_password.log().find("not-the-password"), std::string::npos);
  EXPECT_EQ(wrong_password.log().find('\n'), wrong_password.log().size() - 1)
      << "one line: " << wrong_password.log();
  EXPECT_TRUE(wrong_password.database_untouched());

  ServerProcess nothing_there(
      std::map<std::string, std::string>{{"AUTOMATION_DB_PORT", std::to_string(pick_free_port())}});
  EXPECT_EQ(nothing_there.run_expecting_exit(), 2);
  EXPECT_NE(nothing_there.log().find("AUTOMATION_DB_HOST, AUTOMATION_DB_PORT"), std::string::npos)
      << nothing_there.log();
  EXPECT_TRUE(nothing_there.database_untouched());
}

TEST(Lifecycle, SessionsSurviveARestartOverTheSameDatabase) {
  ServerProcess server;
  server.start();
  std::string key;
  {
    HttpClient http(server.base_url());
    signup(http, "restart_user");
    key = login_key(http, "restart_user", kUserPassword);
    ASSERT_FALSE(key.empty());
  }
  EXPECT_EQ(server.stop(), 0);
  server.start();
  HttpClient http(server.base_url());
  const auto me = http.get("/api/users/me", api_key(key));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("username"), "restart_user");
  EXPECT_EQ(server.stop(), 0) << server.log();
  remember_secret(key);
  expect_no_secrets(server.log(), "server log");
}

TEST(Lifecycle, SigtermLetsInFlightLoginsFinishAndExitsZero) {
  ServerProcess server(kProductHashCost);
  server.start();
  {
    HttpClient http(server.base_url());
    signup(http, "graceful");
  }
  const PendingRequest login{"POST",
                             "/api/users/login",
                             json{{"username", "graceful"}, {"password", kUserPassword}}.dump(),
                             {}};
  bool signalled = false;
  // Hashing is slower than accepting: when the first answer arrives the others are in flight.
  // Four, below the login limit: attempts in flight count against it until they succeed.
  const auto responses =
      request_concurrently(server.base_url(), std::vector<PendingRequest>(4, login), [&] {
        server.send_signal(SIGTERM);
        signalled = true;
      });
  ASSERT_TRUE(signalled);
  for (const auto& response : responses) {
    EXPECT_EQ(response.status, 200) << response.error << " " << response.body;
  }
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace automation::testing
