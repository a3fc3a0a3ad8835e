// Handlers of the caller's own account beyond PyAutomation's API (issue 23, the console's "My
// account"): GET /api/users/me/password_rules, GET /api/users/me/sessions and
// DELETE /api/users/me/sessions/:session_id.

#include <nlohmann/json.hpp>

#include "automation/http/error_mapping.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

nlohmann::json password_rules_json(const PasswordRules& rules) {
  return {{"min_length", rules.min_length},
          {"max_bytes", rules.max_bytes},
          {"min_character_classes", rules.min_character_classes},
          {"dictionary_check", rules.dictionary_check},
          {"history", rules.history},
          {"min_age_hours", rules.min_age_hours},
          {"max_age_days", rules.max_age_days}};
}

// (A delimiter of its own: the descriptions hold ")".)
constexpr std::string_view kPasswordRulesSchema = R"json({"type": "object",
  "required": ["min_length", "max_bytes", "min_character_classes", "dictionary_check",
               "history", "min_age_hours", "max_age_days"],
  "properties": {
    "min_length": {"type": "integer", "description": "Characters at least"},
    "max_bytes": {"type": "integer", "description": "UTF-8 bytes at most"},
    "min_character_classes": {"type": "integer", "minimum": 0, "maximum": 4,
      "description": "Of lower case letters, upper case letters, digits and other characters"},
    "dictionary_check": {"type": "boolean",
      "description": "Passwords easy to guess (cracklib: dictionary words, the username, patterns) are refused"},
    "history": {"type": "integer", "description": "The last N passwords may not be used again (0: no rule)"},
    "min_age_hours": {"type": "integer", "description": "The owner's next change no sooner (0: no rule)"},
    "max_age_days": {"type": "integer", "description": "Must be changed at login once this old (0: never)"}}})json";

constexpr std::string_view kOwnSessionsSchema = R"({"type": "array", "items": {"allOf": [
  {"$ref": "#/components/schemas/Session"},
  {"type": "object", "required": ["current"], "properties": {
    "current": {"type": "boolean", "description": "The session of this request"}}}]}})";

}  // namespace

std::vector<Route> own_account_routes(const RouteContext& context) {
  return {
      // Usable before a demanded password change: the rules are what that change needs.
      {Method::kGet, "/api/users/me/password_rules", KeyPolicy::kRequiredEvenBeforePasswordChange,
       Execution::kIoThread,
       [context](const Request&, const Caller& caller) {
         auto rules = context.api.password_rules(caller);
         if (!rules) return error_response(rules.error());
         return json_response(200, password_rules_json(*rules));
       },
       {.tag = "users",
        .summary = "The rules a new password must meet",
        .description = "For showing before a change (docs/security-controls.md, \"Password "
                       "rules\"). Any key; also a session that must change its password first.",
        .responses = {{200, "The rules in force", kPasswordRulesSchema}}}},
      {Method::kGet, "/api/users/me/sessions", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request&, const Caller& caller) {
         auto sessions = context.api.list_own_sessions(caller);
         if (!sessions) return error_response(sessions.error());
         nlohmann::json body = nlohmann::json::array();
         for (const auto& session : *sessions) {
           nlohmann::json item = session_json(session);
           item["current"] = session.id == caller.principal->session_id;
           body.push_back(std::move(item));
         }
         return json_response(200, body);
       },
       {.tag = "users",
        .summary = "The caller's live sessions",
        .description = "Oldest first; `current` marks the session of this request. Sessions "
                       "only (a third-party token has no account).",
        .responses = {{200, "The caller's sessions", kOwnSessionsSchema},
                      {403, "A third-party token has no account"}}}},
      {Method::kDelete, "/api/users/me/sessions/:session_id", KeyPolicy::kRequired,
       Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto ended = context.api.revoke_own_session(caller, request.path_params.at(0));
         if (!ended) return error_response(ended.error());
         return json_response(200, nlohmann::json{{"message", "Session ended"},
                                                  {"session", session_json(*ended)}});
       },
       {.tag = "users",
        .summary = "End one of the caller's sessions",
        .description = "E.g. one left signed in on another panel. Audited as session_revoke.",
        .path_parameter = "The session's id (from GET /api/users/me/sessions)",
        .responses = {{200, "Ended; its key stops working at once, on every server",
                       R"({"type": "object", "properties": {"message": {"type": "string"},
                         "session": {"$ref": "#/components/schemas/Session"}}})"},
                      {403, "A third-party token has no account"},
                      {404, "No such session of the caller"}}}},
  };
}

}  // namespace automation::http
