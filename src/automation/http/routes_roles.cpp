// Handlers of /api/users/roles: list (sudo left out) and add.

#include <nlohmann/json.hpp>

#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {

std::vector<Route> role_routes(const RouteContext& context) {
  return {
      {Method::kGet, "/api/users/roles", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request&, const Caller& caller) {
         auto roles = context.api.list_roles(caller);
         if (!roles) return error_response(roles.error());
         nlohmann::json body = nlohmann::json::array();
         for (const auto& role : *roles) body.push_back(role_json(role));
         return json_response(200, body);
       }},
      {Method::kPost, "/api/users/roles/add", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto role = parse_new_role(request.body);
         if (!role) return error_response(role.error());
         auto added = context.api.add_role(caller, role->name, role->level);
         if (!added) return error_response(added.error());
         return json_response(200, role_json(*added));
       }},
  };
}

}  // namespace automation::http
