// Handlers of GET /api/users/audit (recent security events, newest first) and
// GET /api/users/audit/export (the sealed trail for an auditor).

#include <nlohmann/json.hpp>

#include "automation/http/audit_export.hpp"
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
      {Method::kGet, "/api/users/audit/export", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto query = parse_audit_export(request.query);
         if (!query) return error_response(query.error());
         auto events = context.api.export_audit(caller, query->after_seq, query->limit);
         if (!events) return error_response(events.error());
         Response response;
         if (query->format == AuditExportQuery::Format::kCsv) {
           response.body = audit_export_csv(*events);
           response.content_type = "text/csv; charset=utf-8";
         } else {
           response.body = audit_export_jsonl(*events);
           response.content_type = "application/x-ndjson";
         }
         return response;
       }},
  };
}

}  // namespace automation::http
