// Handler of GET /api/notice: the system use notification a client shows before login
// (IEC 62443-4-2 CR 1.12; AUTOMATION_LOGIN_NOTICE). Public: it is read before anyone logs in.

#include <nlohmann/json.hpp>

#include "automation/http/routes.hpp"

namespace automation::http {

std::vector<Route> notice_routes(const RouteContext& context) {
  return {
      {Method::kGet, "/api/notice", KeyPolicy::kNone, Execution::kIoThread,
       [context](const Request&, const Caller&) {
         return json_response(200, nlohmann::json{{"notice", context.api.system_use_notice()}});
       },
       {.tag = "health",
        .summary = "The system use notice to show before login",
        .description = "IEC 62443-4-2 CR 1.12: the text configured with AUTOMATION_LOGIN_NOTICE "
                       "(\"\" when none). No key needed.",
        .responses = {{200, "The notice", R"({"type": "object", "required": ["notice"],
                         "properties": {"notice": {"type": "string"}}})"}}}},
  };
}

}  // namespace automation::http
