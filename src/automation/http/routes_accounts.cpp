// Handlers of account administration (docs/security-controls.md):
// POST /api/users/:username/unlock clears a throttled account's failed-login count;
// /api/users/:username/sessions[/:session_id] lists and ends a user's sessions.

#include <nlohmann/json.hpp>

#include "automation/http/error_mapping.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

constexpr std::string_view kSessionRules =
    "Admin or sudo, by the password reset rule: sudo only for admin users, an admin only for "
    "users of its level or below; never a sudo account (IEC 62443-4-2 CR 2.6).";

}  // namespace

std::vector<Route> account_routes(const RouteContext& context) {
  return {
      {Method::kPost, "/api/users/:username/unlock", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto cleared = context.api.unlock_user(caller, request.path_params.at(0));
         if (!cleared) return error_response(cleared.error());
         return json_response(200, nlohmann::json{{"message", "Account unlocked"},
                                                  {"failures_cleared", *cleared}});
       },
       {.tag = "users",
        .summary = "Clear a throttled account's failed-login counts",
        .description = "Forgets the account's failed password attempts from every client "
                       "address (IEC 62443-4-2 CR 1.11). Admin or sudo; an admin only for users "
                       "of its level or below; never a sudo account. Audited as account_unlock.",
        .path_parameter = "The user's username",
        .responses = {{200, "Unlocked", R"({"type": "object", "properties": {
                         "message": {"type": "string"},
                         "failures_cleared": {"type": "integer"}}})"},
                      {403, "The caller's role may not unlock accounts, or not this one"},
                      {404, "No such user (sudo users are hidden from non-sudo callers)"}}}},
      {Method::kGet, "/api/users/:username/sessions", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         return list_response(context.api.list_user_sessions(caller, request.path_params.at(0)),
                              session_json);
       },
       {.tag = "users",
        .summary = "A user's live sessions",
        .description = kSessionRules,
        .path_parameter = "The user's username",
        .responses = {{200, "Oldest first",
                       R"({"type": "array", "items": {"$ref": "#/components/schemas/Session"}})"},
                      {400, "The caller's role may not manage this user's sessions"},
                      {403, "The caller is not admin or sudo"},
                      {404, "No such user (sudo users are hidden from non-sudo callers)"}}}},
      {Method::kDelete, "/api/users/:username/sessions", KeyPolicy::kRequired,
       Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto ended = context.api.revoke_user_sessions(caller, request.path_params.at(0));
         if (!ended) return error_response(ended.error());
         return json_response(200, nlohmann::json{{"message", "Sessions ended"},
                                                  {"sessions_ended", *ended}});
       },
       {.tag = "users",
        .summary = "End every session of a user",
        .description = kSessionRules,
        .path_parameter = "The user's username",
        .responses = {{200, "Ended; their keys stop working at once, on every server",
                       R"({"type": "object", "properties": {"message": {"type": "string"},
                         "sessions_ended": {"type": "integer"}}})"},
                      {400, "The caller's role may not manage this user's sessions"},
                      {403, "The caller is not admin or sudo"},
                      {404, "No such user (sudo users are hidden from non-sudo callers)"}}}},
      {Method::kDelete, "/api/users/:username/sessions/:session_id", KeyPolicy::kRequired,
       Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto ended = context.api.revoke_user_session(caller, request.path_params.at(0),
                                                      request.path_params.at(1));
         if (!ended) return error_response(ended.error());
         return json_response(200, nlohmann::json{{"message", "Session ended"},
                                                  {"session", session_json(*ended)}});
       },
       {.tag = "users",
        .summary = "End one session of a user",
        .description = kSessionRules,
        .path_parameter = "The user's username",
        .second_path_parameter = "The session's id (from the list)",
        .responses = {{200, "Ended; its key stops working at once, on every server",
                       R"({"type": "object", "properties": {"message": {"type": "string"},
                         "session": {"$ref": "#/components/schemas/Session"}}})"},
                      {400, "The caller's role may not manage this user's sessions"},
                      {403, "The caller is not admin or sudo"},
                      {404, "No such user, or no such session of this user"}}}},
  };
}

}  // namespace automation::http
