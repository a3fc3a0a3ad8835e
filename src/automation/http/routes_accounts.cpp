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
       }},
  };
}

}  // namespace automation::http
