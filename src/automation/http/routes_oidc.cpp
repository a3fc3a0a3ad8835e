// The OpenID Connect provider's protocol routes (issue 27; docs/oidc.md): /oidc/authorize,
// /oidc/token, /oidc/userinfo, /oidc/introspect, /oidc/revoke and /oidc/logout. Parse, one
// call into the provider (src/automation/oidc), render: OAuth's JSON errors for the API
// endpoints, the login page's views for the browser's. Registered only when
// AUTOMATION_OIDC_ENABLED is on; otherwise every path here answers 404.

#include <openssl/evp.h>

#include "automation/core/text.hpp"
#include "automation/http/login_page.hpp"
#include "automation/http/login_redirect.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/routes.hpp"
#include "automation/oidc/oauth_error.hpp"
#include "automation/oidc/oidc_provider.hpp"

namespace automation::http {
namespace {

using oidc::OidcProvider;

// The client's credentials: HTTP Basic (RFC 6749 §2.3.1: id and secret form-encoded, then
// base64) or the body's client_id and client_secret. Both at once is invalid_request.
struct OidcClientCredentials {
  std::string client_id;
  std::optional<std::string> client_secret;
};

std::optional<std::string> base64_decoded(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  if (length < 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.ends_with("==")) {
    padding = 2;
  } else if (text.ends_with('=')) {
    padding = 1;
  }
  out.resize(static_cast<std::size_t>(length) - padding);
  return out;
}

Result<OidcClientCredentials> client_credentials_of(const Request& request) {
  OidcClientCredentials credentials;
  const auto body_id = query_value(request.body, "client_id");
  const auto body_secret = query_value(request.body, "client_secret");
  if (request.authorization && trim(*request.authorization).starts_with("Basic ")) {
    const auto decoded = base64_decoded(trim(trim(*request.authorization).substr(6)));
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return fail(oidc::oauth_error(oidc::kInvalidClient, "Malformed HTTP Basic credentials."));
    }
    auto id = percent_decode(std::string_view(*decoded).substr(0, colon), true);
    auto secret = percent_decode(std::string_view(*decoded).substr(colon + 1), true);
    if (!id || !secret) {
      return fail(oidc::oauth_error(oidc::kInvalidClient, "Malformed HTTP Basic credentials."));
    }
    if (body_secret || (body_id && *body_id != *id)) {
      return fail(oidc::oauth_error(oidc::kInvalidRequest,
                                    "Use one client authentication method, not two."));
    }
    credentials.client_id = std::move(*id);
    credentials.client_secret = std::move(*secret);
    return credentials;
  }
  credentials.client_id = body_id.value_or("");
  credentials.client_secret = body_secret;
  return credentials;
}

// An OAuth error answer (RFC 6749 §5.2): {"error", "error_description"}, never cached.
Response oauth_error_response(const Error& error, bool basic_auth_used = false) {
  Response response = json_response(
      http_status(error.code),
      nlohmann::json{{"error", oidc::oauth_error_type(error)}, {"error_description", error.message}});
  if (error.code == ErrorCode::kThrottled) {
    response.status = 429;
    response.retry_after_seconds = std::max(1L, error.retry_after_seconds);
  }
  if (response.status == 401 && basic_auth_used) {
    response.add_header("WWW-Authenticate", "Basic realm=\"oidc\"");
  }
  return response;
}

// A form-encoded POST body, as the OAuth endpoints require (RFC 6749 §4.1.3).
bool is_form_body(const Request& request) {
  return body_encoding(request.content_type) == BodyEncoding::kForm;
}

Response not_form_response() {
  return oauth_error_response(oidc::oauth_error(
      oidc::kInvalidRequest, "The body must be application/x-www-form-urlencoded."));
}

// The bearer token of a userinfo request: the Authorization header, or the form body's
// access_token (RFC 6750 §2.2).
std::string bearer_token(const Request& request) {
  if (request.authorization) {
    const std::string_view value = trim(*request.authorization);
    if (value.size() > 7 && iequals_ascii(value.substr(0, 7), "Bearer ")) {
      return std::string(trim(value.substr(7)));
    }
  }
  if (request.method == Method::kPost && is_form_body(request)) {
    return query_value(request.body, "access_token").value_or("");
  }
  return {};
}

class OidcPages {
 public:
  OidcPages(const RouteContext& context, OidcProvider& provider)
      : context_(context), provider_(provider) {}

  Response authorize(const Request& request) const;
  Response token(const Request& request) const;
  Response userinfo(const Request& request) const;
  Response introspect(const Request& request) const;
  Response revoke(const Request& request) const;
  Response logout(const Request& request) const;

 private:
  // The browser session's principal, when it may be used for signing in to an application
  // now (not one that must first change its password or set up MFA).
  std::optional<Principal> browser_principal(const Request& request,
                                             bool* cross_site = nullptr) const {
    auto caller = authenticate_caller(context_.api, request, KeyPolicy::kBrowserSession,
                                      &context_.front_door->cors);
    if (!caller) {
      if (cross_site != nullptr) *cross_site = caller.error().type == kCrossSiteRequest;
      return std::nullopt;
    }
    if (!caller->principal || !caller->principal->user) return std::nullopt;
    if (caller->principal->password_change != PasswordChangeDemand::kNone ||
        caller->principal->mfa_enrollment_required) {
      return std::nullopt;
    }
    return caller->principal;
  }
  Response message_page(int status, std::string message) const {
    LoginView view;
    view.step = LoginView::Step::kMessage;
    view.notice = context_.api.system_use_notice();
    view.error = std::move(message);
    return html_response(status, render_login_page(view));
  }
  static Response redirect(int status, std::string location) {
    Response response;
    response.status = status;
    response.content_type = "text/html; charset=utf-8";
    response.add_header("Location", std::move(location));
    return response;
  }

  const RouteContext context_;
  OidcProvider& provider_;
};

Response OidcPages::authorize(const Request& request) const {
  const auto value = [&request](std::string_view name) { return query_value(request.query, name); };
  oidc::AuthorizeParams params;
  params.response_type = value("response_type");
  params.client_id = value("client_id");
  params.redirect_uri = value("redirect_uri");
  params.scope = value("scope");
  params.state = value("state");
  params.nonce = value("nonce");
  params.code_challenge = value("code_challenge");
  params.code_challenge_method = value("code_challenge_method");
  params.prompt = value("prompt");
  params.max_age = value("max_age");
  params.login_after = value("login_after");
  const auto outcome =
      provider_.authorization().authorize(params, browser_principal(request), request.address);
  switch (outcome.kind) {
    case oidc::AuthorizeOutcome::Kind::kErrorPage:
      return message_page(400, outcome.message);
    case oidc::AuthorizeOutcome::Kind::kRedirect:
      return redirect(302, outcome.location);
    case oidc::AuthorizeOutcome::Kind::kSignIn:
      break;
  }
  std::string login = login_url_for(outcome.return_to);
  if (outcome.reauthenticate) login += "&prompt=login";
  return redirect(302, std::move(login));
}

Response OidcPages::token(const Request& request) const {
  if (!is_form_body(request)) return not_form_response();
  auto credentials = client_credentials_of(request);
  const bool basic = request.authorization.has_value();
  if (!credentials) return oauth_error_response(credentials.error(), basic);
  const auto value = [&request](std::string_view name) {
    return query_value(request.body, name).value_or("");
  };
  oidc::TokenRequest token_request;
  token_request.grant_type = value("grant_type");
  token_request.code = value("code");
  token_request.redirect_uri = value("redirect_uri");
  token_request.code_verifier = value("code_verifier");
  token_request.refresh_token = value("refresh_token");
  token_request.scope = query_value(request.body, "scope");
  token_request.client_id = std::move(credentials->client_id);
  token_request.client_secret = std::move(credentials->client_secret);
  token_request.address = request.address;
  auto answer = provider_.tokens().exchange(token_request);
  if (!answer) return oauth_error_response(answer.error(), basic);
  Response response = json_response(200, *answer);
  response.add_header("Pragma", "no-cache");
  return response;
}

Response OidcPages::userinfo(const Request& request) const {
  const std::string token = bearer_token(request);
  auto claims = token.empty()
                    ? Result<nlohmann::json>(fail(oidc::oauth_error(
                          oidc::kInvalidToken, "The request carries no access token.")))
                    : provider_.checks().userinfo(token, request.address);
  if (!claims) {
    Response response = oauth_error_response(claims.error());
    if (response.status == 401) {
      response.add_header("WWW-Authenticate",
                          "Bearer error=\"invalid_token\", error_description=\"" +
                              claims.error().message + "\"");
    }
    return response;
  }
  return json_response(200, *claims);
}

// A token request of a client about one token (introspection, revocation): the form body,
// the client's credentials and `token`, then `ask` the provider and render its answer.
template <typename Ask, typename Render>
Response client_token_request(const Request& request, Ask ask, Render render) {
  if (!is_form_body(request)) return not_form_response();
  auto credentials = client_credentials_of(request);
  const bool basic = request.authorization.has_value();
  if (!credentials) return oauth_error_response(credentials.error(), basic);
  std::optional<std::string_view> secret;
  if (credentials->client_secret) secret = *credentials->client_secret;
  auto answer = ask(credentials->client_id, secret,
                    query_value(request.body, "token").value_or(""), request.address);
  if (!answer) return oauth_error_response(answer.error(), basic);
  return render(answer);
}

Response OidcPages::introspect(const Request& request) const {
  return client_token_request(
      request,
      [this](auto&&... arguments) { return provider_.checks().introspect(arguments...); },
      [](const Result<nlohmann::json>& answer) { return json_response(200, *answer); });
}

Response OidcPages::revoke(const Request& request) const {
  return client_token_request(
      request, [this](auto&&... arguments) { return provider_.checks().revoke(arguments...); },
      [](const Status&) { return text_json_response(200, "{}"); });
}

Response OidcPages::logout(const Request& request) const {
  const std::string_view fields = request.method == Method::kPost ? std::string_view(request.body)
                                                                  : std::string_view(request.query);
  oidc::LogoutParams params;
  params.id_token_hint = query_value(fields, "id_token_hint");
  params.post_logout_redirect_uri = query_value(fields, "post_logout_redirect_uri");
  params.state = query_value(fields, "state");
  params.client_id = query_value(fields, "client_id");
  // The answer to the question below: a form of this service's own page. A POST from another
  // site fails the cross-site check (it takes no cookie), so it cannot confirm.
  bool cross_site = false;
  const auto browser = browser_principal(request, &cross_site);
  if (cross_site) return message_page(403, "Sign-out from another site refused.");
  const bool confirmed =
      request.method == Method::kPost && query_value(fields, "confirm").value_or("") == "yes";
  const auto decision = provider_.logout().decide(params, browser, confirmed);
  if (decision.kind == oidc::LogoutDecision::Kind::kErrorPage) {
    return message_page(400, decision.message);
  }
  if (decision.kind == oidc::LogoutDecision::Kind::kConfirm) {
    LoginView ask;
    ask.step = LoginView::Step::kSignOut;
    ask.notice = context_.api.system_use_notice();
    ask.username = browser && browser->user ? browser->user->username : "";
    ask.sign_out_action = "/oidc/logout";
    for (const auto& [name, value] : {std::pair{"id_token_hint", params.id_token_hint},
                                      std::pair{"post_logout_redirect_uri",
                                                params.post_logout_redirect_uri},
                                      std::pair{"state", params.state},
                                      std::pair{"client_id", params.client_id}}) {
      if (value) ask.hidden_fields.emplace_back(name, *value);
    }
    ask.hidden_fields.emplace_back("confirm", "yes");
    std::string targets;
    if (!decision.after.empty()) targets = oidc::url_origin(decision.after).value_or("");
    return html_response(200, render_login_page(ask), targets);
  }
  if (browser) {
    Caller caller{browser, request.address};
    if (auto ended = context_.api.logout(caller); !ended) {
      return message_page(http_status(ended.error().code), "Signing out failed; try again.");
    }
    provider_.logout().record(decision, browser->user->username, request.address);
  }
  Response response;
  if (decision.after.empty()) {
    LoginView done;
    done.step = LoginView::Step::kMessage;
    done.notice = context_.api.system_use_notice();
    done.info = "You are signed out.";
    response = html_response(200, render_login_page(done));
  } else {
    response = redirect(request.method == Method::kPost ? 303 : 302, decision.after);
  }
  response.add_header("Set-Cookie", cleared_session_cookie(context_.front_door->cookie));
  return response;
}

constexpr std::string_view kOidcHtml = R"({"type": "string"})";
constexpr std::string_view kOauthError = R"json({"type": "object", "required": ["error"],
  "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}}})json";
constexpr std::string_view kTokenAnswer = R"json({"type": "object",
  "required": ["access_token", "token_type", "expires_in"],
  "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string"},
    "expires_in": {"type": "integer"}, "id_token": {"type": "string"},
    "refresh_token": {"type": "string"}, "scope": {"type": "string"}}})json";
constexpr std::string_view kClaims = R"json({"type": "object", "required": ["sub"],
  "properties": {"sub": {"type": "string"}}})json";
constexpr std::string_view kIntrospection = R"json({"type": "object", "required": ["active"],
  "properties": {"active": {"type": "boolean"}}})json";
constexpr std::string_view kTokenForm = R"json({"type": "object", "required": ["grant_type"],
  "properties": {"grant_type": {"type": "string", "enum": ["authorization_code", "refresh_token", "client_credentials"]},
    "code": {"type": "string"}, "redirect_uri": {"type": "string"}, "code_verifier": {"type": "string"},
    "refresh_token": {"type": "string"}, "scope": {"type": "string"},
    "client_id": {"type": "string"}, "client_secret": {"type": "string"}}})json";
constexpr std::string_view kTokenOnlyForm = R"json({"type": "object", "required": ["token"],
  "properties": {"token": {"type": "string"}, "token_type_hint": {"type": "string"},
    "client_id": {"type": "string"}, "client_secret": {"type": "string"}}})json";
constexpr std::string_view kAuthorizeQuery = R"json([
  {"name": "response_type", "in": "query", "required": true, "schema": {"type": "string", "enum": ["code"]}},
  {"name": "client_id", "in": "query", "required": true, "schema": {"type": "string"}},
  {"name": "redirect_uri", "in": "query", "required": true, "schema": {"type": "string"}},
  {"name": "scope", "in": "query", "required": true, "schema": {"type": "string"}},
  {"name": "state", "in": "query", "required": false, "schema": {"type": "string"}},
  {"name": "nonce", "in": "query", "required": false, "schema": {"type": "string"}},
  {"name": "code_challenge", "in": "query", "required": false, "schema": {"type": "string"}},
  {"name": "code_challenge_method", "in": "query", "required": false, "schema": {"type": "string", "enum": ["S256"]}},
  {"name": "prompt", "in": "query", "required": false, "schema": {"type": "string"}},
  {"name": "max_age", "in": "query", "required": false, "schema": {"type": "integer"}}])json";
constexpr std::string_view kLogoutQuery = R"json([
  {"name": "id_token_hint", "in": "query", "required": false, "schema": {"type": "string"}},
  {"name": "post_logout_redirect_uri", "in": "query", "required": false, "schema": {"type": "string"}},
  {"name": "state", "in": "query", "required": false, "schema": {"type": "string"}},
  {"name": "client_id", "in": "query", "required": false, "schema": {"type": "string"}}])json";

}  // namespace

std::vector<Route> oidc_routes(const RouteContext& context) {
  if (context.oidc_provider == nullptr) return {};
  auto pages = std::make_shared<const OidcPages>(context, *context.oidc_provider);
  const auto handler = [pages](Response (OidcPages::*member)(const Request&) const) {
    return [pages, member](const Request& request, const Caller&) {
      return ((*pages).*member)(request);
    };
  };
  return {
      {Method::kGet, "/oidc/authorize", KeyPolicy::kBrowserSession, Execution::kIoThread,
       handler(&OidcPages::authorize),
       {.tag = "oidc",
        .summary = "OpenID Connect authorization endpoint (code flow, PKCE S256)",
        .description = "Signs the browser in through the login page (its session cookie), then "
                       "redirects to the client's registered redirect_uri with a single-use "
                       "code, state and iss. An unknown client or redirect_uri is an error page, "
                       "never a redirect.",
        .query_parameters = kAuthorizeQuery,
        .responses = {{302, "To the client with code (or error), or to /login", kOidcHtml, "text/html"},
                      {400, "Unknown client or unregistered redirect_uri", kOidcHtml, "text/html"}}}},
      {Method::kPost, "/oidc/token", KeyPolicy::kNone, Execution::kIoThread,
       handler(&OidcPages::token),
       {.tag = "oidc",
        .summary = "OAuth 2.0 token endpoint",
        .description = "grant_type authorization_code (with code_verifier), refresh_token "
                       "(rotated; a reused one ends its family) or client_credentials. Client "
                       "authentication client_secret_basic, client_secret_post, or none for a "
                       "public client. Form-encoded body.",
        .request_body = kTokenForm,
        .responses = {{200, "Tokens", kTokenAnswer},
                      {400, "An OAuth error (invalid_grant, invalid_request, ...)", kOauthError},
                      {401, "invalid_client", kOauthError},
                      {429, "Too many wrong client secrets (`Retry-After`)", kOauthError}}}},
      {Method::kGet, "/oidc/userinfo", KeyPolicy::kNone, Execution::kIoThread,
       handler(&OidcPages::userinfo),
       {.tag = "oidc",
        .summary = "OpenID Connect UserInfo (Bearer access token)",
        .responses = {{200, "The claims the token's scopes release", kClaims},
                      {401, "invalid_token", kOauthError}}}},
      {Method::kPost, "/oidc/userinfo", KeyPolicy::kNone, Execution::kIoThread,
       handler(&OidcPages::userinfo),
       {.tag = "oidc",
        .summary = "OpenID Connect UserInfo (Bearer access token, or access_token in the form)",
        .responses = {{200, "The claims the token's scopes release", kClaims},
                      {401, "invalid_token", kOauthError}}}},
      {Method::kPost, "/oidc/introspect", KeyPolicy::kNone, Execution::kIoThread,
       handler(&OidcPages::introspect),
       {.tag = "oidc",
        .summary = "Token introspection (RFC 7662) for confidential clients",
        .request_body = kTokenOnlyForm,
        .responses = {{200, "active, and the token's facts when active", kIntrospection},
                      {401, "invalid_client", kOauthError}}}},
      {Method::kPost, "/oidc/revoke", KeyPolicy::kNone, Execution::kIoThread,
       handler(&OidcPages::revoke),
       {.tag = "oidc",
        .summary = "Token revocation (RFC 7009): a refresh token ends with its family",
        .request_body = kTokenOnlyForm,
        .responses = {{200, "Revoked, or nothing to revoke", R"({"type": "object"})"},
                      {401, "invalid_client", kOauthError}}}},
      {Method::kGet, "/oidc/logout", KeyPolicy::kBrowserSession, Execution::kIoThread,
       handler(&OidcPages::logout),
       {.tag = "oidc",
        .summary = "RP-initiated logout (end_session_endpoint)",
        .description = "Ends the browser session when id_token_hint names the signed-in user, "
                       "else asks first; then to the registered post_logout_redirect_uri.",
        .query_parameters = kLogoutQuery,
        .responses = {{302, "Signed out: to post_logout_redirect_uri", kOidcHtml, "text/html"},
                      {200, "Signed out, or the question", kOidcHtml, "text/html"},
                      {400, "A hint this service did not issue, or an unregistered address",
                       kOidcHtml, "text/html"}}}},
      {Method::kPost, "/oidc/logout", KeyPolicy::kBrowserSession, Execution::kIoThread,
       handler(&OidcPages::logout),
       {.tag = "oidc",
        .summary = "RP-initiated logout, the answer to the question (form of this service)",
        .responses = {{303, "Signed out: to post_logout_redirect_uri", kOidcHtml, "text/html"},
                      {200, "Signed out", kOidcHtml, "text/html"},
                      {403, "A form from another site: nothing changed", kOidcHtml, "text/html"}}}},
  };
}

}  // namespace automation::http
