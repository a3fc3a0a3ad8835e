// Login, logout, key headers and the two 401 answers, against the real server.

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

class AuthRoutes : public ApiTest {};

TEST_F(AuthRoutes, HealthAndPingNeedNoKey) {
  const auto ping = http().get("/api/health/ping");
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(ping.json(), json({{"message", "pong"}}));
  EXPECT_EQ(ping.header("Content-Type"), "application/json");
  const auto health = http().get("/api/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json(), json({{"status", "ok"}, {"database", "ok"}}));
  EXPECT_EQ(health.header("Content-Type"), "application/json");
}

TEST_F(AuthRoutes, LoginByUsernameReturnsKeyRoleAndLocalTime) {
  const auto response =
      http().post("/api/users/login", json{{"username", "system"}, {"password", kSystemPassword}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  const json body = response.json();
  remember_secret(body.at("apiKey").get<std::string>());
  EXPECT_EQ(body.size(), 5U) << body;
  EXPECT_GE(body.at("apiKey").get<std::string>().size(), 43U);  // >= 256 bits of entropy
  EXPECT_EQ(body.at("role"), "sudo");
  EXPECT_EQ(body.at("role_level"), 0);
  EXPECT_TRUE(is_login_datetime(body.at("datetime").get<std::string>())) << body.at("datetime");
  EXPECT_EQ(body.at("timezone"), "America/Caracas");
}

TEST_F(AuthRoutes, LoginByEmailWorksAndKeyIsUsable) {
  const std::string name = unique_name("by_email");
  create_user(name, "operator");
  const auto response = http().post(
      "/api/users/login", json{{"email", name + "@plant.example"}, {"password", kUserPassword}});
  ASSERT_EQ(response.status, 200) << response.body;
  const json body = response.json();
  const std::string key = body.at("apiKey");
  remember_secret(key);
  EXPECT_EQ(body.at("role"), "operator");
  EXPECT_EQ(body.at("role_level"), 10);
  const auto me = http().get("/api/users/me", api_key(key));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("username"), name);
}

TEST_F(AuthRoutes, UnknownUserAndWrongPasswordGetTheSame403) {
  const std::string name = unique_name("wrong_pw");
  create_user(name, "guest");
  const json expected = {{"message", "Authentication error: Invalid credentials"},
                         {"error_type", "authentication_error"},
                         {"details", "The provided username/email or password is incorrect."}};
  const auto wrong =
      http().post("/api/users/login", json{{"username", name}, {"password", "not-the-password"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.json(), expected);
  const auto unknown = http().post(
      "/api/users/login", json{{"username", unique_name("nobody")}, {"password", kUserPassword}});
  EXPECT_EQ(unknown.status, 403);
  EXPECT_EQ(unknown.json(), expected);
  EXPECT_EQ(wrong.body, unknown.body);
  const auto unknown_email = http().post(
      "/api/users/login",
      json{{"email", unique_name("nobody") + "@plant.example"}, {"password", kUserPassword}});
  EXPECT_EQ(unknown_email.status, 403);
  EXPECT_EQ(unknown_email.body, wrong.body);
}

TEST_F(AuthRoutes, KeyIsAcceptedInXApiKeyTokenAndBearerHeaders) {
  for (const std::string& header :
       {"X-API-KEY: " + system_key(), "Authorization: Token " + system_key(),
        "Authorization: Bearer " + system_key(), "x-api-key: " + system_key()}) {
    const auto me = http().get("/api/users/me", {header});
    EXPECT_EQ(me.status, 200) << header.substr(0, 20) << ": " << me.body;
    if (me.status == 200) {
      EXPECT_EQ(me.json().at("username"), "system");
    }
  }
}

TEST_F(AuthRoutes, MissingKeyIs401KeyIsMissingOnEveryKeyedRoute) {
  const json key_missing = {{"message", "Key is missing."}};
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", "/api/users/logout"},
      {"POST", "/api/users/logout_all"},
      {"GET", "/api/users/"},
      {"GET", "/api/users"},
      {"GET", "/api/users/me"},
      {"GET", "/api/users/system"},
      {"PUT", "/api/users/system"},
      {"DELETE", "/api/users/someone"},
      {"POST", "/api/users/credentials_are_valid"},
      {"POST", "/api/users/change_password"},
      {"POST", "/api/users/reset_password"},
      {"POST", "/api/users/update_role"},
      {"POST", "/api/users/create_tpt"},
      {"GET", "/api/users/tpts"},
      {"DELETE", "/api/users/tpts/0123456789abcdef"},
      {"GET", "/api/users/roles/"},
      {"GET", "/api/users/roles"},
      {"POST", "/api/users/roles/add"},
      {"GET", "/api/users/audit"},
  };
  for (const auto& [method, path] : routes) {
    const auto response = http().request(method, path, "{}");
    EXPECT_EQ(response.status, 401) << method << ' ' << path << ": " << response.body;
    EXPECT_EQ(response.json(), key_missing) << method << ' ' << path;
    EXPECT_EQ(response.header("Content-Type"), "application/json");
  }
  // An empty key header is no key either.
  const auto empty = http().get("/api/users/me", {"X-API-KEY;"});
  EXPECT_EQ(empty.status, 401);
  EXPECT_EQ(empty.json(), key_missing);
}

TEST_F(AuthRoutes, UnknownOrMalformedKeyIs401InvalidToken) {
  const json invalid = {{"message", "Invalid token"}};
  const std::vector<std::string> headers = {
      "X-API-KEY: " + std::string(64, 'a'),
      "X-API-KEY: not-a-key",
      "Authorization: Token 0000",
      "Authorization: Bearer " + std::string(64, 'f'),
      "Authorization: Basic c3lzdGVtOnBhc3N3b3Jk",
      "Authorization: Bearer a.b.c",
      "X-API-KEY: " + std::string(4000, 'x'),
  };
  for (const auto& header : headers) {
    const auto response = http().get("/api/users/me", {header});
    EXPECT_EQ(response.status, 401) << header.substr(0, 40) << ": " << response.body;
    EXPECT_EQ(response.json(), invalid) << header.substr(0, 40);
  }
  // The HMI logs out on a 401 whose message contains "invalid token".
  const auto response = http().get("/api/users/", api_key("garbage"));
  std::string message = response.json().at("message");
  std::transform(message.begin(), message.end(), message.begin(), ::tolower);
  EXPECT_NE(message.find("invalid token"), std::string::npos);
}

TEST_F(AuthRoutes, LogoutEndsOnlyThisSession) {
  const std::string name = unique_name("logout");
  create_user(name, "operator");
  const std::string first = login(name);
  const std::string second = login(name);
  ASSERT_NE(first, second);
  const auto logout = http().post_raw("/api/users/logout", "", api_key(first));
  EXPECT_EQ(logout.status, 200) << logout.body;
  EXPECT_EQ(logout.json(), json({{"message", "Logout successful"}}));
  EXPECT_EQ(http().get("/api/users/me", api_key(first)).status, 401);
  EXPECT_EQ(http().get("/api/users/me", api_key(second)).status, 200);
}

TEST_F(AuthRoutes, LogoutAllEndsEverySessionOfTheCaller) {
  const std::string name = unique_name("logout_all");
  create_user(name, "supervisor");
  const std::string first = login(name);
  const std::string second = login(name);
  const auto response = http().post_raw("/api/users/logout_all", "", api_key(first));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.json(), json({{"message", "Logged out of all sessions"}}));
  EXPECT_EQ(http().get("/api/users/me", api_key(first)).status, 401);
  const auto after = http().get("/api/users/me", api_key(second));
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.json(), json({{"message", "Invalid token"}}));
  // Other users' sessions are untouched.
  EXPECT_EQ(http().get("/api/users/me", api_key(system_key())).status, 200);
}

TEST_F(AuthRoutes, CredentialsAreValidAnswersTrueOrFalse) {
  const std::string name = unique_name("creds");
  create_user(name, "guest");
  const auto valid =
      http().post("/api/users/credentials_are_valid",
                  json{{"username", name}, {"password", kUserPassword}}, api_key(system_key()));
  EXPECT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(valid.body, "true");
  const auto by_email = http().post(
      "/api/users/credentials_are_valid",
      json{{"email", name + "@plant.example"}, {"password", kUserPassword}}, api_key(system_key()));
  EXPECT_EQ(by_email.body, "true");
  const auto invalid =
      http().post("/api/users/credentials_are_valid",
                  json{{"username", name}, {"password", "wrong-password"}}, api_key(system_key()));
  EXPECT_EQ(invalid.status, 200) << invalid.body;
  EXPECT_EQ(invalid.body, "false");
  const auto missing = http().post("/api/users/credentials_are_valid", json{{"username", name}},
                                   api_key(system_key()));
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(missing.json().at("errors").contains("password")) << missing.body;
}

}  // namespace
}  // namespace automation::testing
