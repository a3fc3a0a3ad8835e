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
      {Method::kGet, "/api/users/audit/export", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto query = parse_audit_export(request.query);
         if (!query) return error_response(query.error());
         auto events = context.api.export_audit(caller, query->after_seq, query->limit);
         if (!events) return error_response(events.error());
         if (query->format == AuditExportQuery::Format::kCsv) {
           return typed_response(audit_export_csv(*events), "text/csv; charset=utf-8");
         }
         return typed_response(audit_export_jsonl(*events), "application/x-ndjson");
       },
       {.tag = "audit",
        .summary = "The sealed audit trail, for an auditor",
        .description = "Events in chain order with `seq`, `previous_mac` and `mac`, so each row "
                       "can be checked with the audit key: mac = HMAC-SHA-256(key, message) "
                       "(docs/security-controls.md gives the message). JSON lines or CSV; "
                       "page on with `after_seq`. Admin, sudo or auditor; audited.",
        .query_parameters = R"([
          {"name": "format", "in": "query", "required": false,
           "schema": {"type": "string", "enum": ["jsonl", "csv"], "default": "jsonl"}},
          {"name": "after_seq", "in": "query", "required": false,
           "description": "Events after this sequence number",
           "schema": {"type": "integer", "minimum": 0, "default": 0}},
          {"name": "limit", "in": "query", "required": false,
           "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 10000}}])",
        .responses = {{200, "One event per line", R"({"type": "string"})",
                       "application/x-ndjson"},
                      {400, "Bad `format`, `after_seq` or `limit`"},
                      {403, "The caller's role may not read the audit log"}}}},
  };
}

}  // namespace automation::http
