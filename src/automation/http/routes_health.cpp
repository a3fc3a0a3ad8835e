// Handlers of /api/health (database round trip) and /api/health/ping (no database, no auth).

#include <nlohmann/json.hpp>

#include "automation/http/json_views.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {

std::vector<Route> health_routes(const RouteContext& context) {
  return {
      {Method::kGet, "/api/health/ping", KeyPolicy::kNone, Execution::kIoThread,
       [](const Request&, const Caller&) { return message_response(200, "pong"); }},
      {Method::kGet, "/api/health", KeyPolicy::kNone, Execution::kIoThread,
       [context](const Request&, const Caller&) {
         if (context.api.health()) {
           return json_response(200, nlohmann::json{{"status", "ok"}, {"database", "ok"}});
         }
         Response response =
             json_response(503, nlohmann::json{{"status", "error"}, {"database", "unavailable"}});
         response.retry_after_seconds = 1;
         return response;
       }},
  };
}

}  // namespace automation::http
