// Handler of GET /api/users/audit: recent security events, newest first.

#include <nlohmann/json.hpp>

#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {

std::vector<Route> audit_routes(const RouteContext& context) {
  return {
      {Method::kGet, "/api/users/audit", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto limit = parse_audit_limit(request.query);
         if (!limit) return error_response(limit.error());
         return list_response(context.api.audit(caller, *limit), audit_event_json);
       },
       {.tag = "audit",
        .summary = "Security events, newest first",
        .description = "Logins, logouts, sign-ups, password and role changes, edits, deletions "
                       "and token events, refusals included. Admin, sudo or auditor.",
        .query_parameters = R"([{"name": "limit", "in": "query", "required": false,
          "description": "Most events to return", "schema": {"type": "integer", "minimum": 1}}])",
        .responses = {{200, "Events", R"({"type": "array", "items": {"type": "object",
            "properties": {"time": {"type": "string"}, "timestamp": {"type": "integer"},
              "event": {"type": "string"}, "actor": {"type": "string"},
              "target": {"type": "string"}, "address": {"type": "string"},
              "outcome": {"type": "string", "enum": ["success", "failure", "denied"]},
              "reason": {"type": "string"}}}})"},
                      {400, "Bad `limit`"},
                      {403, "The caller's role may not read the audit log"}}}},
  };
}

}  // namespace automation::http
