// Metrics, access lines and request ids on the real server.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

// The value of the sample `series` (name and labels exactly as exposed), or -1 when absent.
double sample(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

std::string scrape(HttpClient& http) {
  const auto response = http.get("/metrics");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  return response.body;
}

// Polls the log (the access log writes at least once a second) until `needle` shows up.
bool log_shows(const ServerProcess& server, const std::string& needle) {
  for (int i = 0; i < 300; ++i) {
    if (server.log().find(needle) != std::string::npos) return true;
    ::usleep(10'000);  // a readiness poll, not a fixed wait: it returns as soon as it is there
  }
  return false;
}

class ObservabilityTest : public ApiTest {};

TEST_F(ObservabilityTest, CountersMoveAfterRequests) {
  const std::string user = unique_name("metered");
  create_user(user, "operator");
  const std::string before = scrape(http());
  const std::string user_series =
      R"(automation_http_requests_total{method="GET",route="/api/users/:username",status="200"})";
  const double gets = std::max(0.0, sample(before, user_series));
  const auto count = [&](const std::string& text, const std::string& outcome) {
    return std::max(0.0, sample(text, "automation_logins_total{outcome=\"" + outcome + "\"}"));
  };
  const std::string key = login(user);
  EXPECT_EQ(http().post("/api/users/login", json{{"username", user}, {"password", "wrong-pass-1"}})
                .status,
            403);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(http().get("/api/users/" + user, api_key(key)).status, 200);
  EXPECT_EQ(http().get("/api/no/such/path").status, 404);

  const std::string after = scrape(http());
  EXPECT_EQ(sample(after, user_series), gets + 3);
  EXPECT_EQ(count(after, "success"), count(before, "success") + 1);
  EXPECT_EQ(count(after, "failure"), count(before, "failure") + 1);
  EXPECT_GE(sample(after, R"(automation_http_requests_total{method="other",route="unmatched",status="404"})"), 1);
  EXPECT_GE(sample(after, R"(automation_http_request_duration_seconds_count{method="GET",route="/api/users/:username"})"),
            gets + 3);
  // Counted at most every 5 s (an earlier scrape may have counted before the login).
  EXPECT_GE(sample(after, "automation_live_sessions"), 1);
  EXPECT_GE(sample(after, "automation_lookup_cache_hits_total"),
            sample(before, "automation_lookup_cache_hits_total") + 2);
  EXPECT_EQ(sample(after, "automation_hash_queue_depth"), 0);
  EXPECT_EQ(sample(after, "automation_hash_queue_rejections_total"), 0);
  EXPECT_EQ(sample(after, "automation_database_failures_total"), 0);
  EXPECT_EQ(sample(after, "automation_audit_write_failures_total"), 0);
  // The retention run at start counted the trail (the shared server sets no capacity).
  EXPECT_GE(sample(after, "automation_audit_events_stored"), 1);
  EXPECT_EQ(after.find("automation_audit_capacity_percent"), std::string::npos);
}

TEST_F(ObservabilityTest, RequestIdIsEchoedOrGenerated) {
  const auto given = http().get("/api/health/ping", {"X-Request-Id: trace-42.a_b"});
  EXPECT_EQ(given.header("X-Request-Id"), "trace-42.a_b");
  const auto first = http().get("/api/health/ping");
  const auto second = http().get("/api/nope");
  EXPECT_FALSE(first.header("X-Request-Id").empty());
  EXPECT_NE(first.header("X-Request-Id"), second.header("X-Request-Id"));
  // Unsafe or oversized ids are replaced, never echoed or logged.
  const auto unsafe = http().get("/api/health/ping", {"X-Request-Id: a\"b{c}"});
  EXPECT_NE(unsafe.header("X-Request-Id"), "a\"b{c}");
  // Appended, not literal + std::string: GCC 12 warns falsely (-Warray-bounds) on that form.
  const auto oversized =
      http().get("/api/health/ping", {std::string("X-Request-Id: ").append(65, 'x')});
  EXPECT_NE(oversized.header("X-Request-Id"), std::string(65, 'x'));
  // The shared server logs JSON: the access line of the request carries its id.
  ASSERT_TRUE(log_shows(server(), "\"request_id\":\"trace-42.a_b\""));
  std::istringstream lines(server().log());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("trace-42.a_b") == std::string::npos) continue;
    const auto entry = json::parse(line);
    EXPECT_EQ(entry.at("logger"), "access");
    EXPECT_EQ(entry.at("event"), "access");
    EXPECT_EQ(entry.at("method"), "GET");
    EXPECT_EQ(entry.at("route"), "/api/health/ping");
    EXPECT_EQ(entry.at("status"), 200);
    EXPECT_EQ(entry.at("client"), "127.0.0.1");
    EXPECT_TRUE(entry.at("duration_ms").is_number());
  }
}

// Every line of the JSON log is one JSON object, start-up lines included.
TEST_F(ObservabilityTest, JsonLogLinesAreJsonObjects) {
  http().get("/api/health/ping", {"X-Request-Id: json-lines"});
  ASSERT_TRUE(log_shows(server(), "json-lines"));
  std::istringstream lines(server().log());
  std::string line;
  int objects = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const auto entry = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(entry.is_object()) << line;
    EXPECT_TRUE(entry.contains("time") && entry.contains("level")) << line;
    ++objects;
  }
  EXPECT_GE(objects, 2);
}

TEST(Observability, TextAccessLinesNameTheRouteTemplateAndNoSecret) {
  ServerProcess server(std::map<std::string, std::string>{{"AUTOMATION_LOG_LEVEL", "debug"}});
  server.start();
  HttpClient http(server.base_url());
  const json signup = {{"username", "texted"}, {"email", "texted@plant.example"},
                       {"password", kUserPassword}};
  ASSERT_EQ(http.post("/api/users/signup", signup).status, 200);
  const auto login = http.post("/api/users/login", json{{"username", "texted"}, {"password", kUserPassword}});
  ASSERT_EQ(login.status, 200);
  const std::string key = login.json().at("apiKey");
  remember_secret(key);
  EXPECT_EQ(http.get("/api/users/texted", api_key(key) ).status, 200);
  EXPECT_EQ(http.get("/api/users/me", {"Authorization: Token " + key, "X-Request-Id: text-1"}).status, 200);
  EXPECT_EQ(server.stop(), 0);
  const std::string log = server.log();
  EXPECT_NE(log.find("info access GET /api/users/:username 200 "), std::string::npos) << log;
  EXPECT_NE(log.find("info access POST /api/users/login 200 "), std::string::npos) << log;
  EXPECT_NE(log.find("client=127.0.0.1 request_id=text-1"), std::string::npos) << log;
  EXPECT_EQ(log.find("/api/users/texted"), std::string::npos) << "a path parameter was logged";
  expect_no_secrets(log, "server log");
}

TEST(Observability, AccessLogAndMetricsCanBeTurnedOff) {
  ServerProcess server({{"AUTOMATION_ACCESS_LOG", "off"}, {"AUTOMATION_METRICS", "off"}});
  server.start();
  HttpClient http(server.base_url());
  EXPECT_EQ(http.get("/metrics").status, 404);
  EXPECT_EQ(http.get("/api/health/ping", {"X-Request-Id: silent-1"}).status, 200);
  EXPECT_EQ(server.stop(), 0);
  EXPECT_EQ(server.log().find("silent-1"), std::string::npos);
  EXPECT_EQ(server.log().find("access"), std::string::npos);
}

TEST(Observability, MetricsOnAListenerOfTheirOwn) {
  const int metrics_port = pick_free_port();
  ServerProcess server({{"AUTOMATION_METRICS", "127.0.0.1:" + std::to_string(metrics_port)}});
  server.start();
  HttpClient api(server.base_url());
  EXPECT_EQ(api.get("/metrics").status, 404);  // not on the API's listener
  EXPECT_EQ(api.get("/api/health/ping").status, 200);
  for (int i = 0; i < 2; ++i) {
    const auto login = api.post("/api/users/login",
                                json{{"username", "system"}, {"password", kSystemPassword}});
    ASSERT_EQ(login.status, 200);
    remember_secret(login.json().at("apiKey"));
  }
  HttpClient metrics("http://127.0.0.1:" + std::to_string(metrics_port));
  const auto scraped = metrics.get("/metrics");
  ASSERT_EQ(scraped.status, 200) << scraped.error;
  EXPECT_GE(sample(scraped.body,
                   R"(automation_http_requests_total{method="GET",route="/api/health/ping",status="200"})"),
            2);  // the readiness poll's and ours
  EXPECT_EQ(sample(scraped.body, "automation_live_sessions"), 2);  // the first scrape counts
  EXPECT_EQ(sample(scraped.body, R"(automation_logins_total{outcome="success"})"), 2);  EXPECT_EQ(server.stop(), 0);
}

TEST(Observability, ABadMetricsSettingStopsTheStart) {
  ServerProcess server(std::map<std::string, std::string>{{"AUTOMATION_METRICS", "everywhere"}});
  EXPECT_EQ(server.run_expecting_exit(), 2);
  EXPECT_NE(server.log().find("AUTOMATION_METRICS"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace automation::testing
