// GET /metrics: the Prometheus text exposition, on the API's listener when
// AUTOMATION_METRICS=on (the default). Unauthenticated, as Prometheus scrapes it.

#include "automation/http/routes.hpp"

namespace automation::http {

std::vector<Route> metrics_routes(const RouteContext& context) {
  if (context.metrics_text == nullptr || !*context.metrics_text) return {};
  return {
      {Method::kGet, "/metrics", KeyPolicy::kNone, Execution::kIoThread,
       [render = context.metrics_text](const Request&, const Caller&) {
         return typed_response((*render)(), "text/plain; version=0.0.4; charset=utf-8");
       },
       {.tag = "metrics",
        .summary = "Prometheus metrics (text exposition format 0.0.4)",
        .description = "Requests by route template and status, latency, logins by outcome, "
                       "the hashing queue, the lookup cache, database failures and live "
                       "sessions. Served here when AUTOMATION_METRICS=on; unauthenticated.",
        .responses = {{200, "The metrics", R"({"type": "string"})", "text/plain"}}}},
  };
}

}  // namespace automation::http
