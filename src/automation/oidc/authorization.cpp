#include "automation/oidc/authorization.hpp"

#include <charconv>

#include "automation/core/policy.hpp"
#include "automation/core/text.hpp"
#include "automation/oidc/oauth_error.hpp"
#include "automation/oidc/pkce.hpp"
#include "automation/oidc/scopes.hpp"

namespace automation::oidc {
namespace {

constexpr std::string_view kAuthorizeEvent = "oidc_authorize";

std::optional<std::int64_t> parse_seconds(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) return std::nullopt;
  return value;
}

bool has_prompt(const std::optional<std::string>& prompt, std::string_view value) {
  if (!prompt) return false;
  std::string_view rest = *prompt;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    if (rest.substr(0, space) == value) return true;
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  return false;
}

// The authorize address to come back to after a fresh sign-in: the same request without
// prompt and max_age, which the fresh sign-in satisfies, and with login_after.
std::string return_address(const AuthorizeParams& params, UnixSeconds login_after) {
  std::string address = "/oidc/authorize";
  char separator = '?';
  const auto add = [&](std::string_view name, const std::optional<std::string>& value) {
    if (!value) return;
    address += separator;
    separator = '&';
    address += name;
    address += '=';
    address += percent_encode(*value);
  };
  add("response_type", params.response_type);
  add("client_id", params.client_id);
  add("redirect_uri", params.redirect_uri);
  add("scope", params.scope);
  add("state", params.state);
  add("nonce", params.nonce);
  add("code_challenge", params.code_challenge);
  add("code_challenge_method", params.code_challenge_method);
  if (login_after > 0) {
    add("login_after", std::to_string(login_after));
  } else {
    add("prompt", params.prompt);
    add("max_age", params.max_age);
    add("login_after", params.login_after);
  }
  return address;
}

}  // namespace

std::optional<std::string> url_origin(std::string_view url) {
  std::string_view scheme;
  if (url.starts_with("https://")) {
    scheme = "https://";
  } else if (url.starts_with("http://")) {
    scheme = "http://";
  } else {
    return std::nullopt;
  }
  const std::string_view rest = url.substr(scheme.size());
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  return std::string(scheme) + std::string(authority);
}

std::string with_query(std::string base,
                       std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  char separator = base.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : pairs) {
    base += separator;
    separator = '&';
    base += name;
    base += '=';
    base += percent_encode(value);
  }
  return base;
}

std::optional<std::string> Authorization::registered_redirect_origin(
    std::string_view client_id, std::string_view redirect_uri) {
  auto client = context_.store.find_client(client_id);
  if (!client || !*client) return std::nullopt;
  if (!OidcClientRegistry::redirect_uri_registered(**client, redirect_uri)) return std::nullopt;
  return url_origin(redirect_uri);
}

AuthorizeOutcome Authorization::authorize(const AuthorizeParams& params,
                                          const std::optional<Principal>& browser,
                                          std::string_view address) {
  AuthorizeOutcome outcome;
  // 1. Who asks, and where the answer may go: nothing is redirected before both are known.
  if (!params.client_id || params.client_id->empty()) {
    outcome.message = "The sign-in request names no application (client_id).";
    return outcome;
  }
  auto found = context_.store.find_client(*params.client_id);
  if (!found) {
    outcome.message = "The sign-in service cannot reach its database; try again.";
    return outcome;
  }
  if (!*found) {
    outcome.message = "The application that sent you here is not registered.";
    return outcome;
  }
  const OidcClient& client = **found;
  if (!params.redirect_uri ||
      !OidcClientRegistry::redirect_uri_registered(client, *params.redirect_uri)) {
    outcome.message =
        "The application asked to send you to an address it did not register. Nothing was done.";
    return outcome;
  }
  const std::string& issuer = context_.settings.issuer;
  const std::string state = params.state.value_or("");
  const auto to_client = [&](std::string_view error, std::string_view description) {
    AuthorizeOutcome refusal;
    refusal.kind = AuthorizeOutcome::Kind::kRedirect;
    refusal.location = with_query(*params.redirect_uri, {{"error", error},
                                                         {"error_description", description}});
    if (params.state) refusal.location = with_query(refusal.location, {{"state", state}});
    refusal.location = with_query(refusal.location, {{"iss", issuer}});
    return refusal;
  };
  const std::string actor = browser && browser->user ? browser->user->username : "";
  const auto refused = [&](std::string_view error, std::string_view description) {
    (void)context_.core.audit().record(kAuthorizeEvent, actor, client.name, address, "denied",
                                       std::string(error));
    return to_client(error, description);
  };
  // 2. The request itself.
  if (params.response_type != "code") {
    return refused(kUnsupportedResponseType, "Only response_type=code is supported.");
  }
  const Scopes scopes = Scopes::parse(params.scope.value_or(""));
  if (!scopes.openid) return refused(kInvalidScope, "The scope must include openid.");
  if (params.code_challenge_method && *params.code_challenge_method != "S256") {
    return refused(kInvalidRequest, "Only code_challenge_method=S256 is supported.");
  }
  if (params.code_challenge) {
    if (!params.code_challenge_method) {
      return refused(kInvalidRequest, "code_challenge_method=S256 must come with code_challenge.");
    }
    if (!is_s256_challenge(*params.code_challenge)) {
      return refused(kInvalidRequest, "The code_challenge is not an S256 challenge.");
    }
  } else {
    // Every client, confidential ones too (RFC 9700 §2.1.1): a code without a verifier is
    // worth something to whoever sees the redirect.
    return refused(kInvalidRequest, "PKCE (code_challenge with S256) is required.");
  }
  if (params.max_age && !parse_seconds(params.max_age)) {
    return refused(kInvalidRequest, "max_age must be a whole number of seconds.");
  }
  if (params.login_after && !parse_seconds(params.login_after)) {
    return refused(kInvalidRequest, "login_after must be a time in seconds.");
  }
  if (params.nonce && params.nonce->size() > 512) {
    return refused(kInvalidRequest, "The nonce is too long.");
  }
  // 3. Who signs in: a live browser session, signed in recently enough.
  const UnixSeconds now = context_.core.clock().now();
  const bool prompt_none = has_prompt(params.prompt, "none");
  const bool prompt_login = has_prompt(params.prompt, "login");
  if (prompt_none && prompt_login) {
    return refused(kInvalidRequest, "prompt=none cannot be combined with other values.");
  }
  bool fresh_enough = browser.has_value();
  if (browser) {
    const UnixSeconds auth_time = browser->session_created_at;
    // max_age=0 asks for a sign-in now, as prompt=login does (OpenID Connect Core §3.1.2.1).
    if (const auto max_age = parse_seconds(params.max_age);
        max_age && (*max_age == 0 || now - auth_time > *max_age)) {
      fresh_enough = false;
    }
    if (const auto after = parse_seconds(params.login_after); after && auth_time < *after) {
      fresh_enough = false;
    }
  }
  if (prompt_login || !fresh_enough) {
    if (prompt_none) return refused(kLoginRequired, "The user must sign in.");
    AuthorizeOutcome sign_in;
    sign_in.kind = AuthorizeOutcome::Kind::kSignIn;
    // A fresh sign-in is asked for: the return must not ask again.
    const bool fresh = prompt_login || params.max_age.has_value() || params.login_after.has_value();
    sign_in.reauthenticate = browser.has_value() && fresh;
    sign_in.return_to = return_address(params, fresh ? now : 0);
    return sign_in;
  }
  const User& user = *browser->user;
  // Never sudo from outside (SPEC §8): the local superuser account signs in to nothing else.
  if (policy::is_sudo_role(user.role.name, user.role.level)) {
    return refused(kAccessDenied, "This account may not sign in to applications.");
  }
  // 4. The code: 256 random bits, kept as its digest, single use, short-lived, bound to the
  // client, the redirect URI, the PKCE challenge and the browser session.
  const std::string code = context_.random.random_hex(32);
  OidcCode record;
  record.code_digest = context_.digester.digest(code);
  record.client_id = client.client_id;
  record.redirect_uri = *params.redirect_uri;
  record.session_digest = browser->session_digest;
  record.user_id = user.id;
  record.scope = scopes.text();
  record.nonce = params.nonce.value_or("");
  record.code_challenge = params.code_challenge.value_or("");
  record.auth_time = browser->session_created_at;
  record.amr = browser->mfa_verified ? "pwd otp" : "pwd";
  record.expires_at = now + context_.settings.code_seconds;
  if (auto added = context_.store.add_code(record); !added) {
    return to_client(added.error().code == ErrorCode::kUnavailable ? kTemporarilyUnavailable
                                                                   : kServerError,
                     "The sign-in service could not complete the request; try again.");
  }
  (void)context_.core.audit().record(kAuthorizeEvent, user.username, client.name, address,
                                     "success");
  AuthorizeOutcome granted;
  granted.kind = AuthorizeOutcome::Kind::kRedirect;
  granted.location = with_query(*params.redirect_uri, {{"code", code}});
  if (params.state) granted.location = with_query(granted.location, {{"state", state}});
  granted.location = with_query(granted.location, {{"iss", issuer}});
  return granted;
}

}  // namespace automation::oidc
