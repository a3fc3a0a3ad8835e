// The access log's lines and the metrics' counts, fed CompletedRequest values directly.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "automation/http/access_log.hpp"
#include "automation/http/http_metrics.hpp"

namespace automation::http {
namespace {

std::vector<Route> two_routes() {
  auto handler = [](const Request&, const Caller&) { return Response{}; };
  return {Route{Method::kPost, "/api/users/login", KeyPolicy::kNone, Execution::kWorkerPool,
                handler, OperationDoc{}},
          Route{Method::kGet, "/api/users/:username", KeyPolicy::kRequired,
                Execution::kIoThread, handler, OperationDoc{}}};
}

CompletedRequest request_to(const std::vector<Route>& routes, std::size_t index, int status) {
  return CompletedRequest{.route = &routes[index],
                          .route_index = index,
                          .method = to_string(routes[index].method),
                          .status = status,
                          .duration = std::chrono::microseconds(1500),
                          .client_address = "192.0.2.7",
                          .request_id = "req-1"};
}

TEST(AccessLog, TextLineNamesTheRouteTemplateNeverThePath) {
  const auto routes = two_routes();
  const AccessLog log(spdlog::default_logger(), LogFormat::kText);
  EXPECT_EQ(log.message(request_to(routes, 1, 404)),
            "GET /api/users/:username 404 1.500ms client=192.0.2.7 request_id=req-1");
  CompletedRequest unmatched{.method = "PATCH", .status = 405, .client_address = "::1",
                             .request_id = "x"};
  EXPECT_EQ(log.message(unmatched), "PATCH unmatched 405 0.000ms client=::1 request_id=x");
}

TEST(AccessLog, JsonFieldsFormAnObjectWhenWrapped) {
  const auto routes = two_routes();
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>(
      "access-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_pattern("{%v}");
  AccessLog log(logger, LogFormat::kJson);
  log.completed(request_to(routes, 0, 429));
  const auto line = nlohmann::json::parse(out.str());
  EXPECT_EQ(line.at("event"), "access");
  EXPECT_EQ(line.at("method"), "POST");
  EXPECT_EQ(line.at("route"), "/api/users/login");
  EXPECT_EQ(line.at("status"), 429);
  EXPECT_DOUBLE_EQ(line.at("duration_ms").get<double>(), 1.5);
  EXPECT_EQ(line.at("client"), "192.0.2.7");
  EXPECT_EQ(line.at("request_id"), "req-1");
}

TEST(AccessLog, JsonEscaping) {
  std::string out;
  append_json_escaped(out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd\\u0001");
}

TEST(HttpMetrics, CountsByRouteStatusAndLoginOutcome) {
  const auto routes = two_routes();
  std::size_t queued = 3;
  HttpMetrics metrics([] {
    return ApplicationGauges{.lookup_cache_hits = 5, .lookup_cache_misses = 2,
                             .database_failures = 1, .live_sessions = 4,
                             .sessions_prefetched = 7};
  });
  metrics.serving(routes, [&queued] { return queued; });
  metrics.completed(request_to(routes, 0, 200));
  metrics.completed(request_to(routes, 0, 403));
  metrics.completed(request_to(routes, 0, 403));
  metrics.completed(request_to(routes, 0, 429));
  metrics.completed(request_to(routes, 1, 200));
  metrics.completed(CompletedRequest{.method = "GET", .status = 404});
  metrics.hash_queue_full();
  const std::string text = metrics.render();
  for (const char* expected : {
           R"(automation_http_requests_total{method="POST",route="/api/users/login",status="403"} 2)",
           R"(automation_http_requests_total{method="GET",route="/api/users/:username",status="200"} 1)",
           R"(automation_http_requests_total{method="other",route="unmatched",status="404"} 1)",
           R"(automation_http_request_duration_seconds_count{method="POST",route="/api/users/login"} 4)",
           R"(automation_http_request_duration_seconds_bucket{method="POST",route="/api/users/login",le="0.001"} 0)",
           R"(automation_http_request_duration_seconds_bucket{method="POST",route="/api/users/login",le="0.0025"} 4)",
           R"(automation_logins_total{outcome="success"} 1)",
           R"(automation_logins_total{outcome="failure"} 2)",
           R"(automation_logins_total{outcome="throttled"} 1)",
           "automation_hash_queue_depth 3", "automation_hash_queue_rejections_total 1",
           "automation_lookup_cache_hits_total 5", "automation_lookup_cache_misses_total 2",
           "automation_database_failures_total 1", "automation_live_sessions 4",
           "automation_lookup_cache_sessions_prefetched_total 7"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  metrics.stopped();  // the probe is not called after the server returned
  queued = 99;
  EXPECT_NE(metrics.render().find("automation_hash_queue_depth 0"), std::string::npos);
}

}  // namespace
}  // namespace automation::http
