// Handlers of third-party tokens: create, list, revoke (sudo sessions only; the core decides).

#include <nlohmann/json.hpp>

#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {

std::vector<Route> tpt_routes(const RouteContext& context) {
  return {
      {Method::kPost, "/api/users/create_tpt", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto tpt = parse_tpt_request(request.body, body_encoding(request.content_type));
         if (!tpt) return error_response(tpt.error());
         auto created = context.api.create_tpt(caller, *tpt);
         if (!created) return error_response(created.error());
         return json_response(200, tpt_created_json(*created));
       },
       {.tag = "tpts",
        .summary = "Create a third-party token (sudo sessions only)",
        .description = "An HS256 JWT acting with the level of `role_name` (never sudo).",
        .request_body = R"({"type": "object", "required": ["role_name"],
          "properties": {"role_name": {"type": "string"},
            "expires_in": {"type": "integer", "minimum": 1, "description": "Seconds"},
            "description": {"type": "string"}}})",
        .responses = {{200, "The token (shown once)", R"({"type": "object",
            "required": ["token", "role", "created_on", "message", "jti"],
            "properties": {"token": {"type": "string"}, "role": {"type": "string"},
              "created_on": {"type": "string"}, "message": {"type": "string"},
              "jti": {"type": "string"}, "expires_on": {"type": "string"}}})"},
                      {400, "Unknown role, the sudo role, or an invalid value"},
                      {403, "`Access denied. Required roles: ['sudo']`"}}}},
      {Method::kGet, "/api/users/tpts", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request&, const Caller& caller) {
         return list_response(context.api.list_tpts(caller), tpt_record_json);
       },
       {.tag = "tpts",
        .summary = "List third-party tokens (sudo sessions only)",
        .description = "Token records, never the tokens themselves.",
        .responses = {{200, "Token records", R"({"type": "array", "items": {"type": "object",
            "properties": {"jti": {"type": "string"}, "role": {"type": "string"},
              "created_on": {"type": "string"},
              "expires_on": {"type": "string", "nullable": true},
              "description": {"type": "string"}, "created_by": {"type": "string"},
              "revoked": {"type": "boolean"}}}})"},
                      {403, "`Access denied. Required roles: ['sudo']`"}}}},
      {Method::kDelete, "/api/users/tpts/:jti", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         return status_response(context.api.revoke_tpt(caller, request.path_params.at(0)),
                                "Third Party Token revoked successfully");
       },
       {.tag = "tpts",
        .summary = "Revoke a third-party token (sudo sessions only)",
        .description = "Effective at once on every server process.",
        .path_parameter = "The token's `jti`",
        .responses = {{200, "Revoked"},
                      {403, "`Access denied. Required roles: ['sudo']`"},
                      {404, "No token with that jti"}}}},
  };
}

}  // namespace automation::http
