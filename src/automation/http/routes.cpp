#include "automation/http/routes.hpp"

#include <iterator>
#include <memory>

#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/openapi.hpp"

namespace automation::http {

namespace {

// For route tables built without front door options (tests of the table): the defaults.
const FrontDoorOptions& default_front_door() {
  static const FrontDoorOptions options;
  return options;
}

}  // namespace

std::vector<Route> all_routes(const RouteContext& given) {
  RouteContext context = given;
  if (context.front_door == nullptr) context.front_door = &default_front_door();
  std::vector<Route> routes;
  auto openapi_json = std::make_shared<std::string>();
  // The cheapest, most frequent probe first.
  for (auto part : {health_routes(context), action_routes(context), user_routes(context),
                    own_account_routes(context), tpt_routes(context),
                    role_routes(context), audit_routes(context), overview_routes(context),
                    account_routes(context),
                    notice_routes(context), mfa_routes(context), front_door_routes(context),
                    login_routes(context), oidc_discovery_routes(context), oidc_routes(context),
                    signature_routes(context), console_routes(context),
                    docs_routes(openapi_json),
                    metrics_routes(context)}) {
    std::move(part.begin(), part.end(), std::back_inserter(routes));
  }
  // Every route is in the document, the documentation routes included.
  nlohmann::json document = openapi_document(routes);
  // The system use notice (IEC 62443-4-2 CR 1.12) travels with the description, for clients
  // that read it from there rather than from GET /api/notice.
  const std::string& notice = context.api.system_use_notice();
  document["info"]["x-notice"] = notice;
  if (!notice.empty()) {
    document["info"]["description"] =
        notice + "\n\n" + document["info"].value("description", std::string());
  }
  *openapi_json = document.dump();
  return routes;
}

Response status_response(const Status& status, std::string_view ok_message) {
  if (!status) return error_response(status.error());
  return message_response(200, ok_message);
}

}  // namespace automation::http
