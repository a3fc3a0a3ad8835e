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
       }},
  };
}

}  // namespace automation::http
