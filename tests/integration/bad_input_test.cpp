// Bad input never crashes the server and never changes data: malformed JSON, wrong shapes and
// types, missing fields, oversized bodies, NUL bytes, invalid UTF-8, header abuse; and a full
// hashing pool answers 503 with Retry-After.

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

class BadInput : public ApiTest {
 protected:
  void expect_alive() {
    const auto ping = http().get("/api/health/ping");
    EXPECT_EQ(ping.status, 200) << ping.error;
  }
};

TEST_F(BadInput, MalformedShapesAndTypesAre400AndChangeNothing) {
  const long long before = visible_user_count();
  const std::string name = unique_name("bad_input");
  struct Case {
    const char* path;
    std::string body;
    std::vector<std::string> fields;  // expected in "errors"; empty: only a message
  };
  const std::vector<Case> cases = {
      {"/api/users/signup", "{\"username\": ", {}},
      {"/api/users/signup", "not json at all", {}},
      {"/api/users/signup", "", {}},
      {"/api/users/signup", "[1, 2, 3]", {}},
      {"/api/users/signup", "\"just a string\"", {}},
      {"/api/users/signup", "null", {}},
      {"/api/users/signup", std::string(100, '[') + std::string(100, ']'), {}},
      {"/api/users/signup",
       json{{"username", 42}, {"email", name + "@plant.example"}, {"password", kUserPassword}}
           .dump(),
       {"username"}},
      {"/api/users/signup",
       json{{"username", name}, {"email", true}, {"password", json::array()}}.dump(),
       {"email", "password"}},
      {"/api/users/signup", json{{"username", name}}.dump(), {"email", "password"}},
      {"/api/users/signup", "{}", {"username", "email", "password"}},
      {"/api/users/signup",
       json{{"username", name},
            {"email", name + "@plant.example"},
            {"password", kUserPassword},
            {"name", 7}}
           .dump(),
       {"name"}},
      {"/api/users/login", "{}", {"username", "password"}},
      {"/api/users/login", json{{"username", 1}, {"password", 2}}.dump(), {"username", "password"}},
      {"/api/users/login", "{\"username\": \"system\", \"password\": ", {}},
  };
  for (const auto& c : cases) {
    const auto response = http().post_raw(c.path, c.body, api_key(system_key()));
    EXPECT_EQ(response.status, 400)
        << c.path << " <- " << c.body.substr(0, 60) << ": " << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/json");
    const json body = response.json();
    EXPECT_TRUE(body.at("message").is_string());
    for (const auto& field : c.fields) {
      EXPECT_TRUE(body.contains("errors") && body.at("errors").contains(field))
          << field << " not named for " << c.body << ": " << response.body;
    }
  }
  const auto malformed = http().post_raw("/api/users/signup", "{oops", api_key(system_key()));
  EXPECT_EQ(malformed.json(), json({{"message", "Malformed JSON body"}}));
  EXPECT_EQ(http().get("/api/users/" + name, api_key(system_key())).status, 404);
  EXPECT_EQ(visible_user_count(), before);
  expect_alive();
}

TEST_F(BadInput, NulBytesAndInvalidUtf8AreRefused) {
  const long long before = visible_user_count();
  const std::string name = unique_name("nul");
  // \u0000 inside JSON strings: a valid JSON document carrying a NUL character.
  const std::vector<std::string> nul_bodies = {
      R"({"username":")" + name + R"(\u0000x","email":")" + name +
          R"(@plant.example","password":"Us3r-Passw0rd-long"})",
      R"({"username":")" + name + R"(","email":")" + name +
          R"(@plant.example","password":"Us3r-Pass\u0000w0rd-long"})",
      R"({"username":")" + name + R"(","email":")" + name +
          R"(@plant.example","password":"Us3r-Passw0rd-long","name":"A\u0000B"})",
  };
  for (const auto& body : nul_bodies) {
    const auto response = http().post_raw("/api/users/signup", body);
    EXPECT_EQ(response.status, 400) << body << ": " << response.body;
  }
  // Raw invalid UTF-8 bytes inside a JSON string.
  const std::string invalid_utf8 = R"({"username":")" + name + R"(","email":")" + name +
                                   R"(@plant.example","password":"Us3r-)" + "\xff\xfe\xc0\xaf" +
                                   R"(-long","name":")" + "\xed\xa0\x80" + R"("})";
  const auto utf8 = http().post_raw("/api/users/signup", invalid_utf8);
  EXPECT_EQ(utf8.status, 400) << utf8.body;
  // A raw NUL byte in the body is malformed JSON.
  const std::string raw_nul =
      "{\"username\":\"" + name + std::string(1, '\0') + "x\",\"password\":\"x\"}";
  EXPECT_EQ(http().post_raw("/api/users/signup", raw_nul).status, 400);
  const auto change = http().post_raw(
      "/api/users/change_password",
      R"({"target_username":"system","new_password":"abc\u0000defghijk","current_password":"x"})",
      api_key(system_key()));
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(http().get("/api/users/" + name, api_key(system_key())).status, 404);
  EXPECT_EQ(visible_user_count(), before);
  expect_alive();
}

TEST_F(BadInput, BodyOver64KiBIs413) {
  const long long before = visible_user_count();
  const std::string name = unique_name("huge");
  const std::string body = json{{"username", name},
                                {"email", name + "@plant.example"},
                                {"password", kUserPassword},
                                {"name", std::string(70 * 1024, 'a')}}
                               .dump();
  const auto response = http().post_raw("/api/users/signup", body);
  EXPECT_EQ(response.status, 413) << response.error;
  EXPECT_TRUE(response.json().at("message").is_string());
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  const auto blank = http().post_raw("/api/users/login", std::string(65 * 1024 + 1, ' '));
  EXPECT_EQ(blank.status, 413);
  // Far beyond any limit: the connection is dropped, the server lives on.
  const auto enormous = http().post_raw("/api/users/signup", std::string(8 * 1024 * 1024, 'x'));
  EXPECT_NE(enormous.status, 200);
  EXPECT_EQ(visible_user_count(), before);
  expect_alive();
}

TEST_F(BadInput, HeaderAbuseIsContained) {
  const long long before = visible_user_count();
  // A header value beyond the limit: the request is dropped (or refused), nothing else happens.
  const auto long_value =
      http().get("/api/users/me", {"X-API-KEY: " + std::string(64 * 1024, 'k')});
  EXPECT_NE(long_value.status, 200);
  const auto long_name = http().get("/api/users/me", {std::string(4096, 'H') + ": v"});
  EXPECT_NE(long_name.status, 200);
  const auto long_url =
      http().get("/api/users/" + std::string(64 * 1024, 'u'), api_key(system_key()));
  EXPECT_NE(long_url.status, 200);
  expect_alive();

  // CR/LF smuggled into a header value: no header of ours may carry it back.
  const std::string smuggled = raw_exchange(
      server().port(),
      "GET /api/users/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: abc\rX-Injected: 1\r\n"
      "Connection: close\r\n\r\n");
  EXPECT_EQ(smuggled.find("X-Injected"), std::string::npos) << smuggled;
  const std::string bare_lf = raw_exchange(
      server().port(),
      "GET /api/users/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: abc\nSet-Cookie: x=1\r\n"
      "Connection: close\r\n\r\n");
  EXPECT_EQ(bare_lf.find("Set-Cookie"), std::string::npos) << bare_lf;
  // Encoded CR/LF in the path is data, never a header.
  const std::string encoded = raw_exchange(
      server().port(),
      "GET /api/users/x%0D%0AX-Injected:%201 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: " +
          system_key() + "\r\nConnection: close\r\n\r\n");
  EXPECT_NE(encoded.find("HTTP/1.1 404"), std::string::npos) << encoded;
  EXPECT_EQ(encoded.find("\r\nX-Injected"), std::string::npos) << encoded;
  // Garbage instead of HTTP.
  (void)raw_exchange(server().port(),
                     std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
                     std::chrono::milliseconds(500));
  (void)raw_exchange(server().port(), "GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                     std::chrono::milliseconds(500));
  EXPECT_EQ(visible_user_count(), before);
  expect_alive();
}

TEST(BadInputServer, FullHashingPoolAnswers503WithRetryAfter) {
  // Its own server hashing at the product's cost: the shared one hashes cheaply, and its pool
  // would empty faster than the burst arrives.
  ServerProcess server(kProductHashCost);
  server.start();
  HttpClient http(server.base_url());
  const auto system =
      http.post("/api/users/login", json{{"username", "system"}, {"password", kSystemPassword}});
  ASSERT_EQ(system.status, 200);
  const std::string system_key = system.json().at("apiKey");
  remember_secret(system_key);
  ASSERT_EQ(http.post("/api/users/signup",
                      json{{"username", "burst"},
                           {"email", "burst@plant.example"},
                           {"password", kUserPassword}},
                      api_key(system_key))
                .status,
            200);
  // Far more KDF requests at once than the pool's threads plus its queue (64) can hold.
  std::vector<PendingRequest> burst(
      200, PendingRequest{"POST", "/api/users/credentials_are_valid",
                          json{{"username", "burst"}, {"password", kUserPassword}}.dump(),
                          api_key(system_key)});
  const auto responses = request_concurrently(server.base_url(), burst);
  int ok = 0;
  int busy = 0;
  for (const auto& response : responses) {
    if (response.status == 200) {
      ++ok;
      EXPECT_EQ(response.body, "true");
    } else if (response.status == 503) {
      ++busy;
      EXPECT_EQ(response.header("Retry-After"), "1");
      EXPECT_TRUE(response.json().at("message").is_string());
    } else {
      ADD_FAILURE() << "unexpected " << response.status << " " << response.error << " "
                    << response.body;
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(busy, 0);
  // Key-checked requests were never blocked by the hashing work.
  EXPECT_EQ(http.get("/api/health/ping").status, 200);
  EXPECT_EQ(http.get("/api/users/me", api_key(system_key)).status, 200);
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace automation::testing
