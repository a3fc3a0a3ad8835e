#pragma once

// The routes of SPEC §3: method + path pattern -> how the caller is authenticated, which
// threads run the handler, and the handler itself (parse, one core call, render).
// RouteTable (route_table.hpp) matches requests against them, 404/405 included.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "automation/core/authorized_api.hpp"
#include "automation/core/error.hpp"
#include "automation/core/requests.hpp"
#include "automation/http/auth.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/front_door.hpp"
#include "automation/http/http_message.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/login_time.hpp"
#include "automation/http/oidc_options.hpp"
#include "automation/http/worker_pool.hpp"

namespace automation::oidc {
class OidcProvider;
}

namespace automation::http {

enum class Execution {
  kIoThread,    // cheap: key checks and plain reads/writes
  kWorkerPool,  // runs a KDF (login, signup, password checks and changes, signing)
};

using Handler = std::function<Response(const Request& request, const Caller& caller)>;
// For a kWorkerPool route: the class of password work a request is (WorkerPool), decided on
// the I/O thread without a KDF. Unset: kAccount.
using WorkClassifier = std::function<WorkClass(const Request& request, const Caller& caller)>;

// One documented answer of an operation (OpenAPI Response Object).
struct ResponseDoc {
  int status = 200;
  std::string_view description;
  // JSON Schema of the body as JSON text ("" = {"$ref": "#/components/schemas/Message"});
  // shared schemas are under #/components/schemas (openapi.cpp).
  std::string_view schema = {};
  std::string_view content_type = "application/json";
};

// The OpenAPI description of a route, written next to it (openapi.hpp turns the route table
// into the document). The path parameter, the security requirement, 401 (from key_policy),
// 400 and 413 (when there is a request body) and 503 (KDF routes) are derived, not written.
struct OperationDoc {
  std::string_view tag;  // group in the docs: "users", "mfa", "roles", "tpts", "audit", "signatures", ...
  std::string_view summary;  // one line; required (a test fails for a route without one)
  std::string_view description = {};
  std::string_view path_parameter = {};  // what the first `:name` segment names
  std::string_view second_path_parameter = {};  // what the second one names, if any
  std::string_view query_parameters = {};  // JSON array of OpenAPI Parameter Objects, or ""
  // JSON Schema of the request body, accepted as JSON and as an HTML form; "" = no body.
  std::string_view request_body = {};
  std::vector<ResponseDoc> responses = {};  // the success answer first, then the route's errors
};

struct Route {
  Method method = Method::kGet;
  // '/'-separated literal and `:name` parameter segments (express syntax). A parameter never
  // matches a word reserved for routes (is_reserved_word).
  std::string pattern;
  KeyPolicy key_policy = KeyPolicy::kRequired;
  Execution execution = Execution::kIoThread;
  Handler handle;
  OperationDoc doc;
  WorkClassifier work_class = {};
};

// What handlers need; referenced objects outlive the server.
class ResponseMemory;  // response_memory.hpp

struct RouteContext {
  AuthorizedApi& api;
  const LoginTime& login_time;
  // The Prometheus text exposition; null or empty: no /metrics route on this listener.
  const std::function<std::string()>* metrics_text = nullptr;
  // Browsers and reverse proxies (CORS list, cookie, return addresses, forward tokens);
  // null: the defaults (all_routes fills them in).
  const FrontDoorOptions* front_door = nullptr;
  // The memory of unwritten answers, for routes that make big ones (null: not limited).
  ResponseMemory* response_memory = nullptr;
  // The OpenID Connect provider; null, or without keys: off (its routes do not exist).
  const OidcOptions* oidc = nullptr;
  // The provider's protocol (authorize, token, ...); null: off (those routes do not exist).
  oidc::OidcProvider* oidc_provider = nullptr;
};

std::vector<Route> user_routes(const RouteContext& context);    // routes_users.cpp
std::vector<Route> tpt_routes(const RouteContext& context);     // routes_tpts.cpp
std::vector<Route> role_routes(const RouteContext& context);    // routes_roles.cpp
std::vector<Route> audit_routes(const RouteContext& context);   // routes_audit.cpp
std::vector<Route> health_routes(const RouteContext& context);  // routes_health.cpp
std::vector<Route> account_routes(const RouteContext& context);  // routes_accounts.cpp
std::vector<Route> notice_routes(const RouteContext& context);   // routes_notice.cpp
std::vector<Route> mfa_routes(const RouteContext& context);      // routes_mfa.cpp
std::vector<Route> signature_routes(const RouteContext& context);  // routes_signatures.cpp
// GET /api/openapi.json answers *openapi_json, filled in once the table is complete.
std::vector<Route> docs_routes(std::shared_ptr<const std::string> openapi_json);  // routes_docs.cpp
std::vector<Route> metrics_routes(const RouteContext& context); // routes_metrics.cpp
std::vector<Route> front_door_routes(const RouteContext& context);  // routes_front_door.cpp
std::vector<Route> login_routes(const RouteContext& context);       // routes_login.cpp
std::vector<Route> console_routes(const RouteContext& context);     // routes_console.cpp
std::vector<Route> action_routes(const RouteContext& context);      // routes_actions.cpp
std::vector<Route> own_account_routes(const RouteContext& context);  // routes_own_account.cpp
std::vector<Route> overview_routes(const RouteContext& context);     // routes_overview.cpp
// /.well-known/openid-configuration and /oidc/jwks (none while the provider is off).
std::vector<Route> oidc_discovery_routes(const RouteContext& context);  // routes_oidc_discovery.cpp
std::vector<Route> oidc_routes(const RouteContext& context);         // routes_oidc.cpp

// Every route of the API.
std::vector<Route> all_routes(const RouteContext& context);

// 200 {"message": ok_message} on success, else the mapped error.
Response status_response(const Status& status, std::string_view ok_message);

// 200 with a JSON array of to_json(item) for every item, else the mapped error.
template <typename T, typename ToJson>
Response list_response(const Result<std::vector<T>>& items, ToJson to_json) {
  if (!items) return error_response(items.error());
  nlohmann::json body = nlohmann::json::array();
  for (const auto& item : *items) body.push_back(to_json(item));
  return json_response(200, body);
}

}  // namespace automation::http
