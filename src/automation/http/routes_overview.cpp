// Handler of GET /api/overview: the service's figures for the console's first page (issue 23)
// or any dashboard. Beside /api/health and /api/notice, the other service-wide routes, rather
// than under /api/users/, where a name would be taken from usernames (a `:username` segment
// matches every word that is not reserved).

#include <nlohmann/json.hpp>

#include "automation/core/time_format.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json overview_json(const ServiceOverview& overview) {
  nlohmann::json audit = {{"head_seq", overview.audit_head_seq},
                          {"anchor_seq", overview.audit_anchor_seq},
                          {"events_stored", nullptr},
                          {"capacity_percent", nullptr},
                          {"write_failures", nullptr}};
  audit["last_verification"] = nullptr;
  if (const auto& verified = overview.last_verification) {
    audit["last_verification"] = {{"time", format_utc(verified->at)},
                                  {"timestamp", verified->at},
                                  {"intact", verified->intact},
                                  {"seq", verified->seq},
                                  {"by", verified->actor}};
  }
  if (overview.audit_capacity) {
    audit["events_stored"] = or_null(overview.audit_capacity->events_stored);
    audit["capacity_percent"] = or_null(overview.audit_capacity->percent_of_capacity);
    audit["write_failures"] = overview.audit_capacity->write_failures;
  }
  return {{"time", format_utc(overview.at)},
          {"timestamp", overview.at},
          {"live_sessions", or_null(overview.live_sessions)},
          {"logins", {{"since", format_utc(overview.since)},
                      {"since_timestamp", overview.since},
                      {"failed", overview.failed_logins},
                      {"throttled", overview.throttled_logins}}},
          {"locked_accounts", overview.locked_accounts},
          {"audit", std::move(audit)}};
}

// (A delimiter of its own: the descriptions hold ")".)
constexpr std::string_view kOverviewSchema = R"json({"type": "object",
  "required": ["time", "timestamp", "live_sessions", "logins", "locked_accounts", "audit"],
  "properties": {
    "time": {"type": "string", "description": "When the figures were read (UTC)"},
    "timestamp": {"type": "integer", "description": "The same, in seconds since the epoch"},
    "live_sessions": {"type": "integer", "nullable": true,
      "description": "Sessions not expired, all users (the automation_live_sessions metric)"},
    "logins": {"type": "object", "required": ["since", "since_timestamp", "failed", "throttled"],
      "properties": {
        "since": {"type": "string", "description": "Start of the period: the last 24 hours"},
        "since_timestamp": {"type": "integer"},
        "failed": {"type": "integer",
          "description": "Audit events of logins that failed (wrong name, password or code)"},
        "throttled": {"type": "integer",
          "description": "Audit events of logins the throttle refused. A refusal repeated within the throttle's window is one event carrying its count, so both count events, not attempts"}}},
    "locked_accounts": {"type": "integer",
      "description": "Accounts whose failed logins fill AUTOMATION_LOGIN_ACCOUNT_MAX_FAILURES in the window now"},
    "audit": {"type": "object",
      "required": ["head_seq", "anchor_seq", "last_verification", "events_stored",
                   "capacity_percent", "write_failures"],
      "properties": {
        "head_seq": {"type": "integer", "description": "The newest sealed event's sequence number (0: none)"},
        "anchor_seq": {"type": "integer",
          "description": "Events up to here were removed by retention; the chain runs from the next one"},
        "last_verification": {"type": "object", "nullable": true,
          "description": "The newest verification through POST /api/users/audit/verify (an audit_verify event; `automation audit verify` on the server is not recorded); null when none is in the trail",
          "required": ["time", "timestamp", "intact", "seq", "by"],
          "properties": {"time": {"type": "string"}, "timestamp": {"type": "integer"},
            "intact": {"type": "boolean"},
            "seq": {"type": "integer", "description": "Verified up to here when intact; else the first problem's place"},
            "by": {"type": "string", "description": "Who asked"}}},
        "events_stored": {"type": "integer", "nullable": true,
          "description": "Events stored at the last retention run (at start, then hourly)"},
        "capacity_percent": {"type": "integer", "nullable": true,
          "description": "Their share of AUTOMATION_AUDIT_MAX_EVENTS; null when it is not set"},
        "write_failures": {"type": "integer", "nullable": true,
          "description": "Events this process could not write since it started"}}}}})json";

}  // namespace

std::vector<Route> overview_routes(const RouteContext& context) {
  return {
      // On the worker pool: the day's login counts are COUNTs over as many events as a flood
      // of refusals leaves, which an I/O thread must not wait for.
      {Method::kGet, "/api/overview", KeyPolicy::kRequired, Execution::kWorkerPool,
       [context](const Request&, const Caller& caller) {
         auto overview = context.api.service_overview(caller);
         if (!overview) return error_response(overview.error());
         return json_response(200, overview_json(*overview));
       },
       {.tag = "audit",
        .summary = "The service at a glance",
        .description = "Live sessions, failed and throttled logins over the last 24 hours, "
                       "accounts locked now, where the audit chain stands and how full the "
                       "trail is. Admin, sudo or auditor (`read_overview` "
                       "of GET /api/users/me/actions); a refusal is audited as overview_read.",
        .responses = {{200, "The figures", kOverviewSchema},
                      {403, "The caller's role may not read the overview"}}}},
  };
}

}  // namespace automation::http
