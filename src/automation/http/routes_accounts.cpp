// Handlers of account administration (README "Security controls"):
// POST /api/users/:username/unlock clears a throttled account's failed-login count.

#include <nlohmann/json.hpp>

#include "automation/http/error_mapping.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {

std::vector<Route> account_routes(const RouteContext& context) {
  return {
      {Method::kPost, "/api/users/:username/unlock", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto cleared = context.api.unlock_user(caller, request.path_param);
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
  };
}

}  // namespace automation::http
