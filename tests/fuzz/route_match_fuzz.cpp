// Route matching (method + raw path), percent-decoding and query values.
//
// Input: one method byte (0-6: GET, POST, PUT, DELETE, HEAD, OPTIONS, PATCH; anything else:
// a method the API has no name for), then the request target; a '?' splits it into path and
// query, as the server does.
// The table holds the API's route patterns (kept in step with routes_*.cpp by hand: the real
// route list needs a running core to build, and matching only reads the patterns).
// Invariants: a matched route has the request's method and no Allow; its parameter is
// non-empty, not a reserved word, and the percent-decoding of one whole raw path segment;
// an unmatched request answers 404 or 405 with an Allow; decoding never grows the text and
// leaves text without '%' (and '+', when it means space) unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/validation.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/route_table.hpp"

#include "fuzz_invariant.hpp"

namespace {

using automation::fuzzing::invariant_broken;

namespace http = automation::http;
using http::Method;

http::Route route(Method method, const char* pattern) {
  return http::Route{method, pattern, http::KeyPolicy::kRequired, http::Execution::kIoThread,
                     [](const http::Request&, const automation::Caller&) { return http::Response{}; },
                     http::OperationDoc{}};
}

const http::RouteTable& api_routes() {
  static const http::RouteTable table({
      route(Method::kGet, "/api/health/ping"),
      route(Method::kGet, "/api/health"),
      route(Method::kPost, "/api/users/login"),
      route(Method::kPost, "/api/users/logout"),
      route(Method::kPost, "/api/users/logout_all"),
      route(Method::kGet, "/api/users"),
      route(Method::kGet, "/api/users/me"),
      route(Method::kPost, "/api/users/signup"),
      route(Method::kPost, "/api/users/credentials_are_valid"),
      route(Method::kPost, "/api/users/change_password"),
      route(Method::kPost, "/api/users/reset_password"),
      route(Method::kPost, "/api/users/update_role"),
      route(Method::kGet, "/api/users/:username"),
      route(Method::kPut, "/api/users/:username"),
      route(Method::kDelete, "/api/users/:username"),
      route(Method::kPost, "/api/users/create_tpt"),
      route(Method::kGet, "/api/users/tpts"),
      route(Method::kDelete, "/api/users/tpts/:jti"),
      route(Method::kGet, "/api/users/roles"),
      route(Method::kPost, "/api/users/roles/add"),
      route(Method::kGet, "/api/users/audit"),
      route(Method::kGet, "/api/auth/verify"),
      route(Method::kHead, "/api/auth/verify"),
      route(Method::kPatch, "/api/auth/verify"),
      route(Method::kGet, "/login"),
      route(Method::kPost, "/login"),
      route(Method::kPost, "/login/password"),
  });
  return table;
}

// The raw segments of a path, as the route table splits it (one trailing '/' ignored).
std::vector<std::string_view> raw_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  while (!path.empty() || !segments.empty()) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

void check_decoding(std::string_view text) {
  for (const bool plus_is_space : {false, true}) {
    const auto decoded = http::percent_decode(text, plus_is_space);
    if (!decoded) {
      if (text.find('%') == std::string_view::npos) invariant_broken("no '%' but a bad escape");
      continue;
    }
    if (decoded->size() > text.size()) invariant_broken("decoding grew the text");
    const bool plain = text.find('%') == std::string_view::npos &&
                       (!plus_is_space || text.find('+') == std::string_view::npos);
    if (plain && *decoded != text) invariant_broken("decoding changed plain text");
  }
}

void check_match(std::optional<Method> method, std::string_view path) {
  const http::RouteMatch match = api_routes().match(method, path);
  if (match.route == nullptr) {
    if (!match.parameters.empty()) invariant_broken("a parameter without a route");
    const int status = http::RouteTable::unmatched_response(match).status;
    if (status != (match.allow.empty() ? 404 : 405)) invariant_broken("unmatched status");
    return;
  }
  if (!method || match.route->method != *method) invariant_broken("matched another method");
  if (!match.allow.empty()) invariant_broken("a matched route with an Allow");
  const auto declared = static_cast<std::size_t>(
      std::count(match.route->pattern.begin(), match.route->pattern.end(), ':'));
  if (match.parameters.size() != declared) invariant_broken("parameters and pattern disagree");
  for (const std::string& parameter : match.parameters) {
    if (parameter.empty()) invariant_broken("an empty parameter");
    if (automation::is_reserved_word(parameter)) invariant_broken("a reserved parameter");
    // Each parameter is one whole raw segment, decoded: it may contain '/' only as %2F.
    bool from_one_segment = false;
    for (const std::string_view segment : raw_segments(path)) {
      if (http::percent_decode(segment, false) == parameter) from_one_segment = true;
    }
    if (!from_one_segment) invariant_broken("a parameter is not one decoded segment");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::optional<Method> method =
      data[0] < http::kMethodCount ? std::optional<Method>(static_cast<Method>(data[0]))
                                   : std::nullopt;
  const std::string_view target(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  check_match(method, path);
  check_decoding(path);
  check_decoding(query);
  for (const std::string_view key : {"page", "limit", ""}) {
    const auto value = http::query_value(query, key);
    if (value && value->size() > query.size()) invariant_broken("a query value grew");
  }
  return 0;
}
