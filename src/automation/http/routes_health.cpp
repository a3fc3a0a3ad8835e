// Handlers of /api/health (database round trip) and /api/health/ping (no database, no auth).

#include <nlohmann/json.hpp>

#include "automation/http/json_views.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

constexpr std::string_view kHealthSchema = R"({"type": "object",
  "properties": {"status": {"type": "string", "enum": ["ok", "error"]},
                 "database": {"type": "string", "enum": ["ok", "unavailable"]}}})";

}  // namespace

std::vector<Route> health_routes(const RouteContext& context) {
  return {
      {Method::kGet, "/api/health/ping", KeyPolicy::kNone, Execution::kIoThread,
       [](const Request&, const Caller&) { return message_response(200, "pong"); },
       {.tag = "health",
        .summary = "Liveness probe",
        .description = "Touches no database; the baseline route of the benchmarks.",
        .responses = {{200, "`{\"message\": \"pong\"}`"}}}},
      {Method::kGet, "/api/health", KeyPolicy::kNone, Execution::kIoThread,
       [context](const Request&, const Caller&) {
         if (context.api.health()) {
           return json_response(200, nlohmann::json{{"status", "ok"}, {"database", "ok"}});
         }
         Response response =
             json_response(503, nlohmann::json{{"status", "error"}, {"database", "unavailable"}});
         response.retry_after_seconds = 1;
         return response;
       },
       {.tag = "health",
        .summary = "Readiness: the database answers",
        .responses = {{200, "The database answers", kHealthSchema},
                      {503, "The database does not answer (`Retry-After: 1`)", kHealthSchema}}}},
  };
}

}  // namespace automation::http
