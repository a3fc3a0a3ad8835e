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
         return list_response(context.api.list_roles(caller), role_json);
       },
       {.tag = "roles",
        .summary = "List roles (sudo left out)",
        .description = "In the order they were created, as upstream lists them.",
        .responses = {{200, "Roles", R"({"type": "array",
                                          "items": {"$ref": "#/components/schemas/Role"}})"}}}},
      {Method::kPost, "/api/users/roles/add", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto role = parse_new_role(request.body, body_encoding(request.content_type));
         if (!role) return error_response(role.error());
         auto added = context.api.add_role(caller, role->name, role->level);
         if (!added) return error_response(added.error());
         return json_response(200, role_json(*added));
       },
       {.tag = "roles",
        .summary = "Add a role",
        .description = "Admin and sudo only; the level must be > 0 and >= the caller's.",
        .request_body = R"({"type": "object", "required": ["name", "level"],
          "properties": {"name": {"type": "string"}, "level": {"type": "integer", "minimum": 1}}})",
        .responses = {{200, "The new role", R"({"$ref": "#/components/schemas/Role"})"},
                      {400, "Invalid name or level"},
                      {403, "The caller's role may not add roles"},
                      {409, "A role with that name exists"}}}},
  };
}

}  // namespace automation::http
