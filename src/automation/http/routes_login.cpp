// The login page for browsers (SPEC §8, issue 22): GET/POST /login, POST /login/mfa (the code
// of an account with multi-factor authentication, issue 24), POST /login/password (a password
// that must be changed first), GET/POST /logout and the page's style sheet. Signing in
// is the API's login (same core call, throttle and audit event, on the hashing pool); the
// session's key goes into the automation_session cookie instead of a JSON body, and the browser
// goes back to `rd` when it is an allowed return address (login_redirect.hpp).

#include "automation/core/mfa_model.hpp"
#include "automation/core/password_rules.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/login_page.hpp"
#include "automation/http/login_redirect.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/request_site.hpp"
#include "automation/http/routes.hpp"
#include "automation/oidc/oidc_provider.hpp"

namespace automation::http {
namespace {

// The page's sign-in fields: `username` holds a username or an email (a username never holds
// '@'), or `email` is given.
Credentials page_credentials(std::string_view body) {
  Credentials credentials;
  credentials.password = query_value(body, "password").value_or("");
  auto name = query_value(body, "username").value_or("");
  auto email = query_value(body, "email").value_or("");
  if (email.empty() && name.find('@') != std::string::npos) std::swap(name, email);
  if (!email.empty()) {
    credentials.email = email;
  } else {
    credentials.username = name;
  }
  return credentials;
}

// What every page of the login routes shares.
class LoginPages {
 public:
  explicit LoginPages(const RouteContext& context)
      : context_(context), front_door_(*context.front_door), form_targets_(form_targets()) {}

  Response show(const Request& request) const;
  Response sign_in(const Request& request) const;
  Response second_factor(const Request& request) const;
  Response change_password(const Request& request) const;
  Response confirm_sign_out(const Request& request) const;
  Response sign_out(const Request& request) const;

 private:
  LoginView view(LoginView::Step step) const {
    LoginView view;
    view.step = step;
    view.notice = context_.api.system_use_notice();
    return view;
  }
  Response page(int status, const LoginView& view) const {
    return html_response(status, render_login_page(view), form_targets_for(view.return_to));
  }
  // The form's redirect chain may also reach the registered redirect URI of an OpenID Connect
  // client the browser signs in for (rd = /oidc/authorize?...): without it in form-action,
  // Chromium stops the redirect that ends the sign-in.
  std::string form_targets_for(std::string_view rd) const {
    constexpr std::string_view kAuthorize = "/oidc/authorize?";
    if (context_.oidc_provider == nullptr || !rd.starts_with(kAuthorize)) return form_targets_;
    const std::string_view query = rd.substr(kAuthorize.size());
    const auto client_id = query_value(query, "client_id");
    const auto redirect_uri = query_value(query, "redirect_uri");
    if (!client_id || !redirect_uri) return form_targets_;
    const auto origin =
        context_.oidc_provider->authorization().registered_redirect_origin(*client_id, *redirect_uri);
    if (!origin) return form_targets_;
    return form_targets_.empty() ? *origin : form_targets_ + " " + *origin;
  }
  Response message_page(int status, std::string error) const {
    LoginView message = view(LoginView::Step::kMessage);
    message.error = std::move(error);
    return page(status, message);
  }
  // The form or query field `rd`: "" when absent or empty, the address when it is allowed,
  // nullopt when it is refused.
  std::optional<std::string> return_address(const Request& request,
                                            std::string_view fields) const {
    const auto rd = query_value(fields, "rd");
    if (!rd || rd->empty()) return std::string();
    return allowed_return_address(*rd, request.headers.find("Host"), front_door_.redirect_hosts);
  }
  // Where to go after signing in or out.
  static Response see_other(std::string location) {
    Response response;
    response.status = 303;
    response.content_type = "text/html; charset=utf-8";
    response.add_header("Location", std::move(location));
    return response;
  }
  // The code form of a login whose password was right, for an account with MFA.
  LoginView code_step(std::string return_to, std::string mfa_token) const {
    LoginView step = view(LoginView::Step::kSecondFactor);
    step.return_to = std::move(return_to);
    step.mfa_token = std::move(mfa_token);
    return step;
  }
  // A sign-in step's form again with why it was refused: 429 with Retry-After and
  // "<too_many>. Try again in N seconds." when throttled, else the error's status.
  Response refused(LoginView retry, const Error& error, std::string_view too_many) const {
    if (error.code == ErrorCode::kThrottled) {
      const long wait = std::max(1L, error.retry_after_seconds);
      retry.error = std::string(too_many) + ". Try again in " + std::to_string(wait) + " seconds.";
      Response response = page(429, retry);
      response.retry_after_seconds = wait;
      return response;
    }
    retry.error =
        error.code == ErrorCode::kInternal ? "Sign-in failed on the server." : error.message;
    Response response = page(http_status(error.code), retry);
    if (response.status == 503) response.retry_after_seconds = 1;
    return response;
  }
  // The end of a sign-in: the browser's previous session ends, the cookie is set, and the
  // browser goes on (or first changes its password).
  Response signed_in(const Request& request, const std::string& rd,
                     const LoginResult& login) const;
  Result<Caller> browser_caller(const Request& request) const {
    return authenticate_caller(context_.api, request, KeyPolicy::kBrowserSession,
                               &front_door_.cors);
  }
  // CSP form-action sources for the hosts a return address may lead to: a form's redirect
  // must be allowed to reach them.
  std::string form_targets() const {
    std::string sources;
    for (const HostPattern& host : front_door_.redirect_hosts) {
      const std::string port = host.port == 0 ? std::string("*") : std::to_string(host.port);
      for (const std::string_view scheme : {"http://", "https://"}) {
        if (!sources.empty()) sources += ' ';
        sources += scheme;
        sources += host.host;
        sources += ':';
        sources += port;
      }
    }
    return sources;
  }
  static constexpr std::string_view kRefusedReturn =
      "This sign-in link leads to an address that is not allowed. Nothing was done.";

  const RouteContext context_;
  const FrontDoorOptions& front_door_;
  const std::string form_targets_;
};

Response LoginPages::show(const Request& request) const {
  const auto rd = return_address(request, request.query);
  if (!rd) return message_page(400, std::string(kRefusedReturn));
  auto caller = browser_caller(request);
  const bool signed_in = caller && caller->principal && caller->principal->user;
  // prompt=login: an application asks for the password again (OpenID Connect's prompt=login
  // and max_age), so the form shows even over a live session.
  if (!signed_in || query_value(request.query, "prompt") == "login") {
    LoginView sign_in = view(LoginView::Step::kSignIn);
    sign_in.return_to = *rd;
    if (signed_in) sign_in.username = caller->principal->user->username;
    return page(200, sign_in);
  }
  const Principal& principal = *caller->principal;
  LoginView current = view(principal.password_change == PasswordChangeDemand::kNone
                               ? LoginView::Step::kSignedIn
                               : LoginView::Step::kChangePassword);
  current.return_to = *rd;
  current.username = principal.user->username;
  current.role = principal.role.name;
  current.password_expired = principal.password_change == PasswordChangeDemand::kExpired;
  current.mfa_enrollment_required = principal.mfa_enrollment_required;
  return page(200, current);
}

Response LoginPages::sign_in(const Request& request) const {
  // A form posted from another site would sign the browser into someone else's account.
  if (request_site(request, front_door_.cors) == RequestSite::kForeign) {
    return message_page(403, "Sign-in from another site refused.");
  }
  const auto rd = return_address(request, request.body);
  if (!rd) return message_page(400, std::string(kRefusedReturn));
  const Credentials credentials = page_credentials(request.body);
  LoginView retry = view(LoginView::Step::kSignIn);
  retry.return_to = *rd;
  retry.username = std::string(credentials.login_name());
  if (retry.username.empty() || credentials.password.empty()) {
    retry.error = "Enter your username (or email) and your password.";
    return page(400, retry);
  }
  auto login = context_.api.login(Caller{std::nullopt, request.address}, credentials);
  if (!login) {
    const Error& error = login.error();
    switch (error.code) {
      case ErrorCode::kPermissionDenied:
        retry.error = "Invalid username or password.";
        return page(403, retry);
      default:
        return refused(std::move(retry), error, "Too many failed sign-ins");
    }
  }
  // The account uses MFA: no session yet, the code form (which carries the pending login's
  // reference, never the password) comes next.
  if (login->second_factor_due()) return page(200, code_step(*rd, login->mfa_token));
  return signed_in(request, *rd, *login);
}

Response LoginPages::second_factor(const Request& request) const {
  if (request_site(request, front_door_.cors) == RequestSite::kForeign) {
    return message_page(403, "Sign-in from another site refused.");
  }
  const auto rd = return_address(request, request.body);
  if (!rd) return message_page(400, std::string(kRefusedReturn));
  const std::string token = query_value(request.body, "mfa_token").value_or("");
  const std::string code = query_value(request.body, "code").value_or("");
  LoginView start_again = view(LoginView::Step::kSignIn);
  start_again.return_to = *rd;
  if (token.empty()) {
    start_again.error = "Sign in with your password first.";
    return page(400, start_again);
  }
  LoginView retry = code_step(*rd, token);
  // A blank code guesses nothing: asked again, not counted.
  if (code.find_first_not_of(" \t") == std::string::npos) {
    retry.error = "Enter the code.";
    return page(400, retry);
  }
  auto login =
      context_.api.login_second_factor(Caller{std::nullopt, request.address}, token, code);
  if (!login) {
    const Error& error = login.error();
    if (error.type == kMfaInvalidToken) {
      start_again.error = "This sign-in has expired or was already used. Sign in again.";
      return page(401, start_again);
    }
    if (error.type == kMfaInvalidCode) {
      retry.error = "Wrong code. Try again.";
      return page(401, retry);
    }
    return refused(std::move(retry), error, "Too many wrong codes");
  }
  return signed_in(request, *rd, *login);
}

Response LoginPages::signed_in(const Request& request, const std::string& rd,
                               const LoginResult& login) const {
  // This browser's previous session, if any, ends: one browser, one session.
  if (auto previous = browser_caller(request); previous && previous->principal) {
    (void)context_.api.logout(*previous);
  }
  Response response;
  if (login.password_change != PasswordChangeDemand::kNone) {
    LoginView change = view(LoginView::Step::kChangePassword);
    change.return_to = rd;
    change.username = login.user.username;
    change.password_expired = login.password_change == PasswordChangeDemand::kExpired;
    response = page(200, change);
  } else {
    response = see_other(rd.empty() ? "/login" : rd);
  }
  response.add_header("Set-Cookie", session_cookie(login.api_key, front_door_.cookie));
  return response;
}

Response LoginPages::change_password(const Request& request) const {
  const auto rd = return_address(request, request.body);
  if (!rd) return message_page(400, std::string(kRefusedReturn));
  auto caller = browser_caller(request);
  if (!caller || !caller->principal || !caller->principal->user) {
    if (caller || caller.error().code == ErrorCode::kUnauthenticated) {
      LoginView sign_in = view(LoginView::Step::kSignIn);
      sign_in.return_to = *rd;
      sign_in.error = "Your session has ended. Sign in again.";
      return page(401, sign_in);
    }
    return message_page(http_status(caller.error().code), caller.error().message);
  }
  const Principal& principal = *caller->principal;
  LoginView retry = view(LoginView::Step::kChangePassword);
  retry.return_to = *rd;
  retry.username = principal.user->username;
  retry.password_expired = principal.password_change == PasswordChangeDemand::kExpired;
  PasswordChange change;
  change.target_username = principal.user->username;
  change.new_password = query_value(request.body, "new_password").value_or("");
  change.current_password = query_value(request.body, "current_password").value_or("");
  if (change.new_password.empty() || change.current_password->empty()) {
    retry.error = "Enter your current password and a new one.";
    return page(400, retry);
  }
  if (query_value(request.body, "confirm_password").value_or("") != change.new_password) {
    retry.error = "The new passwords do not match.";
    return page(400, retry);
  }
  if (auto changed = context_.api.change_password(*caller, change); !changed) {
    const Error& error = changed.error();
    retry.error = error.code == ErrorCode::kInternal ? "The change failed on the server."
                                                     : error.message;
    Response response = page(http_status(error.code), retry);
    if (response.status == 429 || response.status == 503) {
      response.retry_after_seconds = std::max(1L, error.retry_after_seconds);
    }
    return response;
  }
  return see_other(rd->empty() ? "/login" : *rd);
}

Response LoginPages::confirm_sign_out(const Request& request) const {
  const auto rd = return_address(request, request.query);
  if (!rd) return message_page(400, std::string(kRefusedReturn));
  LoginView confirm = view(LoginView::Step::kSignOut);
  confirm.return_to = *rd;
  return page(200, confirm);
}

Response LoginPages::sign_out(const Request& request) const {
  const auto rd = return_address(request, request.body);
  if (!rd) return message_page(400, std::string(kRefusedReturn));
  auto caller = browser_caller(request);
  if (!caller && caller.error().code != ErrorCode::kUnauthenticated) {
    // The cross-site check: the cookie (and its session) stay as they are.
    return message_page(http_status(caller.error().code), caller.error().message);
  }
  if (caller && caller->principal) {
    if (auto ended = context_.api.logout(*caller); !ended) {
      return message_page(http_status(ended.error().code), "Signing out failed; try again.");
    }
  }
  Response response = see_other(rd->empty() ? "/login" : login_url_for(*rd));
  response.add_header("Set-Cookie", cleared_session_cookie(front_door_.cookie));
  return response;
}

constexpr std::string_view kHtml = R"({"type": "string"})";
constexpr std::string_view kRdParameter = R"json([{"name": "rd", "in": "query", "required": false,
  "schema": {"type": "string"},
  "description": "Where to go once signed in: a path on this service, or an http(s) URL on this host or on AUTOMATION_LOGIN_REDIRECT_HOSTS; anything else is refused (400)"}])json";

}  // namespace

std::vector<Route> login_routes(const RouteContext& context) {
  auto pages = std::make_shared<const LoginPages>(context);
  std::vector<Route> routes = {
      {Method::kGet, "/login", KeyPolicy::kBrowserSession, Execution::kIoThread,
       [pages](const Request& request, const Caller&) { return pages->show(request); },
       {.tag = "front door",
        .summary = "The login page (HTML)",
        .description = "Shows AUTOMATION_LOGIN_NOTICE and a sign-in form; with a live browser "
                       "session, who is signed in (or the password change it must make first).",
        .query_parameters = kRdParameter,
        .responses = {{200, "The page", kHtml, "text/html"},
                      {400, "The return address is not allowed", kHtml, "text/html"}}}},
      {Method::kPost, "/login", KeyPolicy::kNone, Execution::kWorkerPool,
       [pages](const Request& request, const Caller&) { return pages->sign_in(request); },
       {.tag = "front door",
        .summary = "Sign in from the login page",
        .description = "HTML form fields username (or email), password and rd. The same login as "
                       "POST /api/users/login (throttle, audit event `login`); the session's key "
                       "goes into the automation_session cookie (HttpOnly, SameSite=Lax, Secure "
                       "under TLS or AUTOMATION_COOKIE_SECURE). For an account with multi-factor "
                       "authentication no cookie yet: the code form (POST /login/mfa). A form "
                       "from another site is refused.",
        .responses = {{303, "Signed in: to rd, or to /login", kHtml, "text/html"},
                      {200, "Signed in with a password to change first: the change form; or "
                            "the account uses MFA: the code form",
                       kHtml, "text/html"},
                      {400, "A field is missing, or the return address is not allowed", kHtml,
                       "text/html"},
                      {403, "Invalid username or password, or a form from another site", kHtml,
                       "text/html"},
                      {429, "Too many failed sign-ins (`Retry-After`)", kHtml, "text/html"}}}},
      {Method::kPost, "/login/mfa", KeyPolicy::kNone, Execution::kIoThread,
       [pages](const Request& request, const Caller&) { return pages->second_factor(request); },
       {.tag = "front door",
        .summary = "Sign in from the login page, second step: the code",
        .description = "HTML form fields mfa_token (from the code form POST /login answered), "
                       "code (of the authenticator app, or a recovery code) and rd. The same "
                       "check as POST /api/users/login/mfa (one use per code, the wrong-code "
                       "limits, audit event `login` with the factors); then as POST /login. A "
                       "wrong code keeps the form (and its mfa_token, until it expires).",
        .responses = {{303, "Signed in: to rd, or to /login", kHtml, "text/html"},
                      {200, "Signed in with a password to change first: the change form", kHtml,
                       "text/html"},
                      {400, "No code or no mfa_token, or the return address is not allowed",
                       kHtml, "text/html"},
                      {401, "Wrong code (the code form again), or an unknown, used, expired or "
                            "foreign mfa_token (the sign-in form)",
                       kHtml, "text/html"},
                      {403, "A form from another site", kHtml, "text/html"},
                      {429, "Too many wrong codes (`Retry-After`)", kHtml, "text/html"}}}},
      {Method::kPost, "/login/password", KeyPolicy::kBrowserSession, Execution::kWorkerPool,
       [pages](const Request& request, const Caller&) { return pages->change_password(request); },
       {.tag = "front door",
        .summary = "Change the signed-in browser session's password",
        .description = "HTML form fields current_password, new_password, confirm_password and "
                       "rd; the rules of POST /api/users/change_password.",
        .responses = {{303, "Changed: to rd, or to /login", kHtml, "text/html"},
                      {400, "Refused by a password rule, or the fields do not agree", kHtml,
                       "text/html"},
                      {401, "No live browser session", kHtml, "text/html"},
                      {403, "A form from another site", kHtml, "text/html"}}}},
      {Method::kGet, "/logout", KeyPolicy::kNone, Execution::kIoThread,
       [pages](const Request& request, const Caller&) { return pages->confirm_sign_out(request); },
       {.tag = "front door",
        .summary = "Ask before signing out (HTML; changes nothing)",
        .query_parameters = kRdParameter,
        .responses = {{200, "The page", kHtml, "text/html"},
                      {400, "The return address is not allowed", kHtml, "text/html"}}}},
      {Method::kPost, "/logout", KeyPolicy::kBrowserSession, Execution::kIoThread,
       [pages](const Request& request, const Caller&) { return pages->sign_out(request); },
       {.tag = "front door",
        .summary = "Sign out the browser session",
        .description = "Ends the session of the automation_session cookie (audited as logout) "
                       "and clears the cookie.",
        .responses = {{303, "To /login (keeping rd)", kHtml, "text/html"},
                      {403, "A form from another site: nothing changed", kHtml, "text/html"}}}},
      {Method::kGet, "/login/style.css", KeyPolicy::kNone, Execution::kIoThread,
       [](const Request&, const Caller&) {
         return typed_response(std::string(login_style_sheet()), "text/css; charset=utf-8");
       },
       {.tag = "front door",
        .summary = "The login page's style sheet",
        .responses = {{200, "CSS", R"({"type": "string"})", "text/css"}}}},
  };
  // The sign-in hashes: guesses against names that match no account are anonymous work, kept
  // to their share of the hashing pool, as POST /api/users/login's are (WorkerPool). Set here
  // rather than in the list above, as user_routes does (GCC 12's false -Wmaybe-uninitialized).
  for (Route& route : routes) {
    if (route.method == Method::kPost && route.pattern == "/login") {
      route.work_class = [context](const Request& request, const Caller&) {
        return context.api.login_names_an_account(page_credentials(request.body))
                   ? WorkClass::kAccount
                   : WorkClass::kAnonymous;
      };
    }
  }
  return routes;
}

}  // namespace automation::http
