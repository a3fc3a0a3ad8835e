// Forward authentication for reverse proxies (issue 22): GET /api/auth/verify, and the same
// for every method a proxy may pass on (HEAD, POST, PUT, DELETE, PATCH); never changes state.
// nginx `auth_request`, Traefik ForwardAuth and Caddy `forward_auth` call it with the original
// request's headers; 2xx lets the request through with the identity headers below.

#include <algorithm>
#include <charconv>

#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/login_redirect.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

constexpr std::string_view kRequireLevelHeader = "X-Automation-Require-Level";
constexpr std::string_view kRequireLevelQuery = "require_level";
constexpr std::string_view kAllowAnonymousQuery = "allow_anonymous";

// A header value as sent: control characters (only a legacy row could hold one) become %XX,
// so no value can end the header early or start another.
std::string header_value(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '%') {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

Result<int> parse_level(std::string_view text) {
  int level = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, level);
  if (text.empty() || ec != std::errc() || ptr != end || level < 0) {
    Error error = Error::make(ErrorCode::kInvalidArgument,
                              "Invalid require_level: must be a whole number >= 0");
    error.fields["require_level"] = "must be a whole number >= 0";
    return fail(std::move(error));
  }
  return level;
}

// The proxy's minimum role level for the protected application (header or query parameter;
// with both, the stricter one); nullopt when it asks for none.
Result<std::optional<int>> required_level(const Request& request) {
  std::optional<int> required;
  if (const auto header = request.headers.find(kRequireLevelHeader)) {
    auto level = parse_level(*header);
    if (!level) return fail(std::move(level.error()));
    required = *level;
  }
  if (const auto query = query_value(request.query, kRequireLevelQuery)) {
    auto level = parse_level(*query);
    if (!level) return fail(std::move(level.error()));
    required = required ? std::min(*required, *level) : *level;
  }
  return required;
}

// The URL the browser asked for, as the proxy tells it (nginx: X-Original-URL; Traefik and
// Caddy: X-Forwarded-Proto, -Host and -Uri); "" when it does not, or not as an http(s) URL.
std::string original_url(const Request& request) {
  std::string url;
  if (const auto original = request.headers.find("X-Original-URL")) {
    url = std::string(*original);
  } else if (const auto uri = request.headers.find("X-Forwarded-Uri")) {
    const auto host = request.headers.find("X-Forwarded-Host");
    const auto proto = request.headers.find("X-Forwarded-Proto");
    if (!host) return {};
    url = std::string(proto ? *proto : "http") + "://" + std::string(*host) + std::string(*uri);
  }
  return origin_of_url(url) ? url : std::string();
}

// A refusal: the mapped error, and where the proxy named the original URL, a Location to the
// login page that returns there (nginx: auth_request_set $login $upstream_http_location): it
// signs in (401), or shows who is signed in or the password change to make first (403).
Response refused(const Request& request, const Error& error) {
  Response response = error_response(error);
  if (response.status == 401 || response.status == 403) {
    if (const std::string url = original_url(request); !url.empty()) {
      response.add_header("Location", login_url_for(url));
    }
  }
  return response;
}

// ?allow_anonymous=true: a request without any credential passes, without identity, so a
// backend that checks keys itself (PyAutomation) answers it as it always did: its open routes
// stay open and its protected ones say "Key is missing." in its own words.
bool passes_anonymously(const Request& request) {
  const auto allow = query_value(request.query, kAllowAnonymousQuery);
  return allow && (*allow == "true" || *allow == "1") && !carries_credential(request);
}

// 200 without a body: nginx keeps its connection to this service for the next check only
// when a subrequest's answer has no body to skip (auth_request reads the header alone); with
// one, every check would open a new connection and cost several times its own work.
Response authorized() {
  Response response;
  response.content_type = "";
  return response;
}

Response verify(const RouteContext& context, const Request& request) {
  const FrontDoorOptions& front_door = *context.front_door;
  if (passes_anonymously(request)) return authorized();
  auto caller =
      authenticate_caller(context.api, request, KeyPolicy::kForwarded, &front_door.cors);
  if (!caller) return refused(request, caller.error());
  auto required = required_level(request);
  if (!required) return error_response(required.error());
  if (front_door.forward_auth == nullptr) {
    return message_response(503, "Forward authentication is not available on this listener");
  }
  auto identity = front_door.forward_auth->identify(*caller->principal, *required);
  if (!identity) return refused(request, identity.error());
  Response response = authorized();
  response.headers.reserve(6);
  response.add_header("X-Automation-User", header_value(identity->user));
  response.add_header("X-Automation-Role", header_value(identity->role));
  response.add_header("X-Automation-Role-Level", std::to_string(identity->role_level));
  response.add_header("X-Automation-Email", header_value(identity->email));
  response.add_header("X-Automation-Session", header_value(identity->session_id));
  response.add_header("X-Automation-Token", std::move(identity->token));
  return response;
}

constexpr std::string_view kVerifyDescription =
    "For reverse proxies (nginx `auth_request`, Traefik ForwardAuth, Caddy `forward_auth`): the "
    "credential of the original request (X-API-KEY, `Authorization: Token|Bearer`, or the "
    "`automation_session` cookie), resolved exactly as on every other route. 200 has no body "
    "(so nginx keeps its connection to this service open between checks) and carries "
    "X-Automation-User, X-Automation-Role, X-Automation-Role-Level, X-Automation-Email, "
    "X-Automation-Session (the session's public id) and X-Automation-Token: an HS256 JWT signed "
    "with AUTOMATION_APP_SECRET_KEY (claims sub, username, role, role_level, iat, exp, jti; valid "
    "AUTOMATION_FORWARD_TOKEN_TTL seconds) that upstream PyAutomation accepts as X-API-KEY. "
    "Changes nothing and writes nothing. A proxy may ask for a minimum role level with the "
    "header X-Automation-Require-Level or the query parameter require_level. With a cookie, the "
    "cross-site check judges the original method (X-Forwarded-Method or X-Original-Method). "
    "401 and 403 carry `Location: /login?rd=<the original URL>` when the proxy names it "
    "(X-Original-URL, or X-Forwarded-Proto/-Host/-Uri).";

constexpr std::string_view kVerifyParameters = R"([{"name": "require_level", "in": "query",
  "required": false, "schema": {"type": "integer", "minimum": 0},
  "description": "Refuse (403) callers whose role level is above this (less privileged); the header X-Automation-Require-Level does the same"},
  {"name": "allow_anonymous", "in": "query", "required": false,
   "schema": {"type": "string", "enum": ["true", "1"]},
   "description": "A request without any credential answers 200 without identity headers or token, for a backend that checks keys itself (PyAutomation): its open routes stay open"}])";

OperationDoc verify_doc(Method method) {
  return {.tag = "front door",
          .summary = method == Method::kGet
                         ? "Forward authentication: who the original request is"
                         : "Forward authentication, for proxies that pass the original method on",
          .description = kVerifyDescription,
          .query_parameters = kVerifyParameters,
          .responses = {{200, "Authorized: no body; the identity in the X-Automation-* headers "
                              "(none for a request without credential under allow_anonymous)",
                         R"({"type": "string", "maxLength": 0})", "text/plain"},
                        {400, "require_level is not a whole number >= 0"},
                        {401, "`Key is missing.` or `Invalid token` (unknown, expired, revoked or "
                              "malformed credential); `Location` to the login page when the proxy "
                              "names the original URL"},
                        {403, "The role's level is above the required one, a session must change "
                              "its password first, or a cookie-authenticated state-changing "
                              "request came from another site"}}};
}

}  // namespace

std::vector<Route> front_door_routes(const RouteContext& context) {
  std::vector<Route> routes;
  for (const Method method : {Method::kGet, Method::kHead, Method::kPost, Method::kPut,
                              Method::kDelete, Method::kPatch}) {
    routes.push_back({method, "/api/auth/verify", KeyPolicy::kForwarded, Execution::kIoThread,
                      [context](const Request& request, const Caller&) {
                        return verify(context, request);
                      },
                      verify_doc(method)});
  }
  return routes;
}

}  // namespace automation::http
