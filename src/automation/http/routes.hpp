#pragma once

// The routes of SPEC §3: method + path pattern -> how the caller is authenticated, which
// threads run the handler, and the handler itself (parse, one core call, render).
// RouteTable (route_table.hpp) matches requests against them, 404/405 included.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "automation/core/authorized_api.hpp"
#include "automation/core/error.hpp"
#include "automation/core/requests.hpp"
#include "automation/http/auth.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/http_message.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/login_time.hpp"

namespace automation::http {

enum class Execution {
  kIoThread,    // cheap: key checks and plain reads/writes
  kWorkerPool,  // runs a KDF (login, signup, password checks and changes)
};

using Handler = std::function<Response(const Request& request, const Caller& caller)>;

struct Route {
  Method method = Method::kGet;
  // '/'-separated literal segments and at most one `:name` parameter segment (express
  // syntax). A parameter never matches a word reserved for routes (is_reserved_word).
  std::string pattern;
  KeyPolicy key_policy = KeyPolicy::kRequired;
  Execution execution = Execution::kIoThread;
  Handler handle;
};

// What handlers need; referenced objects outlive the server.
struct RouteContext {
  AuthorizedApi& api;
  const LoginTime& login_time;
};

std::vector<Route> user_routes(const RouteContext& context);    // routes_users.cpp
std::vector<Route> tpt_routes(const RouteContext& context);     // routes_tpts.cpp
std::vector<Route> role_routes(const RouteContext& context);    // routes_roles.cpp
std::vector<Route> audit_routes(const RouteContext& context);   // routes_audit.cpp
std::vector<Route> health_routes(const RouteContext& context);  // routes_health.cpp
std::vector<Route> account_routes(const RouteContext& context);  // routes_accounts.cpp
std::vector<Route> notice_routes(const RouteContext& context);   // routes_notice.cpp

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
