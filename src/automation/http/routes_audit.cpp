// Handlers of GET /api/users/audit (recent security events, newest first) and
// GET /api/users/audit/export (the sealed trail for an auditor).

#include <nlohmann/json.hpp>

#include "automation/core/audit_chain.hpp"
#include "automation/http/audit_export.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

nlohmann::json chain_report_json(const AuditChainReport& report) {
  nlohmann::json problem = nullptr;
  if (const auto& found = report.first_problem) {
    problem = {{"kind", to_string(found->kind)},
               {"id", found->id},
               {"seq", found->seq},
               {"detail", found->detail}};
  }
  return {{"intact", !report.first_problem.has_value()},
          {"events_checked", report.events_checked},
          {"first_seq", report.first_seq},
          {"last_seq", report.last_seq},
          {"head_mac", report.last_mac},
          {"problem", std::move(problem)}};
}

}  // namespace

std::vector<Route> audit_routes(const RouteContext& context) {
  return {
      // On the worker pool: an actor, target or outcome filter that matches few events reads
      // back through the whole period (only time and event are indexed), which must not hold
      // up an I/O thread.
      {Method::kGet, "/api/users/audit", KeyPolicy::kRequired, Execution::kWorkerPool,
       [context](const Request& request, const Caller& caller) {
         auto filter = parse_audit_query(request.query);
         if (!filter) return error_response(filter.error());
         return list_response(context.api.audit(caller, *filter), audit_event_json);
       },
       {.tag = "audit",
        .summary = "Security events, newest first",
        .description = "Logins, logouts, sign-ups, password and role changes, edits, deletions "
                       "and token events, refusals included. Admin, sudo or auditor. Each "
                       "filter given must match; an older page: `until` = the oldest `timestamp` "
                       "shown.",
        .query_parameters = R"json([{"name": "limit", "in": "query", "required": false,
          "description": "Most events to return",
          "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
          {"name": "since", "in": "query", "required": false,
           "description": "Events at or after this time (Unix seconds)", "schema": {"type": "integer"}},
          {"name": "until", "in": "query", "required": false,
           "description": "Events at or before this time (Unix seconds)", "schema": {"type": "integer"}},
          {"name": "event", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "actor", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "target", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "outcome", "in": "query", "required": false,
           "schema": {"type": "string", "enum": ["success", "failure", "denied", "throttled"]}}])json",
        .responses = {{200, "Events", R"({"type": "array", "items": {"type": "object",
            "properties": {"time": {"type": "string"}, "timestamp": {"type": "integer"},
              "event": {"type": "string"}, "actor": {"type": "string"},
              "target": {"type": "string"}, "address": {"type": "string"},
              "outcome": {"type": "string", "enum": ["success", "failure", "denied", "throttled"]},
              "reason": {"type": "string"}}}})"},
                      {400, "Bad `limit`, `since`, `until`, `outcome` or a text over 255 bytes"},
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
      // Walks the whole chain: on the worker pool, off the I/O threads.
      {Method::kPost, "/api/users/audit/verify", KeyPolicy::kRequired, Execution::kWorkerPool,
       [context](const Request&, const Caller& caller) {
         auto report = context.api.verify_audit_chain(caller);
         if (!report) return error_response(report.error());
         return json_response(200, chain_report_json(*report));
       },
       {.tag = "audit",
        .summary = "Verify the audit chain",
        .description = "Recomputes every sealed event's MAC with the audit key, from the anchor "
                       "to the head, as `automation audit verify` does, and answers the first "
                       "event changed, removed or inserted, or that the chain is intact (keep "
                       "`head_mac` elsewhere to notice a later cut-off). Admin, sudo or auditor; "
                       "audited as audit_verify (outcome failure when broken), which "
                       "GET /api/overview shows.",
        .responses = {{200, "What the walk found", R"json({"type": "object",
            "required": ["intact", "events_checked", "first_seq", "last_seq", "head_mac", "problem"],
            "properties": {"intact": {"type": "boolean"}, "events_checked": {"type": "integer"},
              "first_seq": {"type": "integer"}, "last_seq": {"type": "integer"},
              "head_mac": {"type": "string"},
              "problem": {"type": "object", "nullable": true, "properties": {
                "kind": {"type": "string", "enum": ["changed", "removed", "inserted", "truncated"]},
                "id": {"type": "integer"}, "seq": {"type": "integer"},
                "detail": {"type": "string"}}}}})json"},
                      {403, "The caller's role may not read the audit log"}}}},
  };
}

}  // namespace automation::http
