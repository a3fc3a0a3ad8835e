// GET /api/users/:username/actions and /api/users/me/actions (issue 23): what the caller may
// do, as core/policy decides it (policy_actions.hpp), for a console that offers only those.

#include <nlohmann/json.hpp>

#include "automation/core/policy_actions.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

nlohmann::json target_actions_json(const policy::TargetActions& actions) {
  return {{"edit", actions.edit},
          {"delete", actions.delete_user},
          {"change_password", actions.change_password},
          {"reset_password", actions.reset_password},
          {"change_role", actions.change_role},
          {"unlock", actions.unlock},
          {"manage_sessions", actions.manage_sessions},
          {"reset_mfa", actions.reset_mfa}};
}

nlohmann::json actor_actions_json(const policy::ActorActions& actions) {
  return {{"list_users", actions.list_users},     {"create_users", actions.create_users},
          {"manage_roles", actions.manage_roles}, {"add_roles", actions.add_roles},
          {"read_audit", actions.read_audit},     {"read_overview", actions.read_overview},
          {"manage_tpts", actions.manage_tpts},   {"own_account", actions.own_account}};
}

constexpr std::string_view kTargetActionsSchema = R"({"type": "object",
  "required": ["username", "actions"], "properties": {
  "username": {"type": "string"},
  "actions": {"type": "object", "additionalProperties": {"type": "boolean"}, "properties": {
    "edit": {"type": "boolean"}, "delete": {"type": "boolean"},
    "change_password": {"type": "boolean"}, "reset_password": {"type": "boolean"},
    "change_role": {"type": "boolean"}, "unlock": {"type": "boolean"},
    "manage_sessions": {"type": "boolean"}, "reset_mfa": {"type": "boolean"}}}}})";

constexpr std::string_view kActorActionsSchema = R"({"type": "object",
  "required": ["actions"], "properties": {
  "actions": {"type": "object", "additionalProperties": {"type": "boolean"}, "properties": {
    "list_users": {"type": "boolean"}, "create_users": {"type": "boolean"},
    "manage_roles": {"type": "boolean"}, "add_roles": {"type": "boolean"},
    "read_audit": {"type": "boolean"}, "read_overview": {"type": "boolean"},
    "manage_tpts": {"type": "boolean"}, "own_account": {"type": "boolean"}}}}})";

}  // namespace

std::vector<Route> action_routes(const RouteContext& context) {
  return {
      {Method::kGet, "/api/users/me/actions", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request&, const Caller& caller) {
         auto actions = context.api.actor_actions(caller);
         if (!actions) return error_response(actions.error());
         return json_response(200, nlohmann::json{{"actions", actor_actions_json(*actions)}});
       },
       {.tag = "users",
        .summary = "What the caller may do without a target user",
        .description = "Each flag is the decision of the rule the operation itself applies "
                       "(core/policy): the web console offers only what is true here.",
        .responses = {{200, "The caller's actions", kActorActionsSchema}}}},
      {Method::kGet, "/api/users/:username/actions", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         const std::string& username = request.path_params.at(0);
         auto actions = context.api.target_actions(caller, username);
         if (!actions) return error_response(actions.error());
         return json_response(200, nlohmann::json{{"username", username},
                                                  {"actions", target_actions_json(*actions)}});
       },
       {.tag = "users",
        .summary = "What the caller may do to one user",
        .description = "Each flag is the decision of the rule the operation itself applies "
                       "(core/policy), for this caller and this user: the web console offers "
                       "only what is true here. `change_role`: a move to some role the caller "
                       "may assign (POST /api/users/update_role still judges the role named).",
        .path_parameter = "The user's username",
        .responses = {{200, "The caller's actions on the user", kTargetActionsSchema},
                      {404, "No such user (sudo users are hidden from non-sudo callers)"}}}},
  };
}

}  // namespace automation::http
