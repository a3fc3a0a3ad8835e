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
       }},
      {Method::kGet, "/api/users/tpts", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request&, const Caller& caller) {
         return list_response(context.api.list_tpts(caller), tpt_record_json);
       }},
      {Method::kDelete, "/api/users/tpts/:jti", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         return status_response(context.api.revoke_tpt(caller, request.path_param),
                                "Third Party Token revoked successfully");
       }},
  };
}

}  // namespace automation::http
