#pragma once

// The authorization endpoint's decisions (OpenID Connect Core §3.1.2; RFC 6749 §4.1; RFC 7636):
// the authorization code flow only, PKCE S256. What may never happen: a redirect to an address
// the client did not register (exact match), so an unknown client or redirect URI is an error
// page; every other refusal goes back to the client with `state` and `iss` (RFC 9207).
// Signing in is the service's one login page and its browser session (SPEC §8).

#include <optional>
#include <string>
#include <string_view>

#include "automation/core/model.hpp"
#include "automation/oidc/provider_context.hpp"

namespace automation::oidc {

// The request's parameters as sent (nullopt: absent).
struct AuthorizeParams {
  std::optional<std::string> response_type;
  std::optional<std::string> client_id;
  std::optional<std::string> redirect_uri;
  std::optional<std::string> scope;
  std::optional<std::string> state;
  std::optional<std::string> nonce;
  std::optional<std::string> code_challenge;
  std::optional<std::string> code_challenge_method;
  std::optional<std::string> prompt;
  std::optional<std::string> max_age;
  // Ours, not OAuth's: the browser must have signed in at or after this time. Added to the
  // address the login page returns to when prompt=login or max_age asked for a fresh sign-in,
  // so that the return does not ask again; a client setting it only asks for more.
  std::optional<std::string> login_after;
};

struct AuthorizeOutcome {
  enum class Kind {
    kErrorPage,  // no redirect is safe: show `message` (status 400)
    kRedirect,   // to the client: `location` carries the code or the error
    kSignIn,     // to the login page, returning to `return_to`
  };
  Kind kind = Kind::kErrorPage;
  std::string message;
  std::string location;
  std::string return_to;      // kSignIn: "/oidc/authorize?..." to come back to
  bool reauthenticate = false;  // kSignIn: ask for the password even over a live session
};

class Authorization {
 public:
  explicit Authorization(OidcContext& context) : context_(context) {}

  // `browser`: the principal of the request's browser session (nullopt: none, or one that
  // must first change its password or set up MFA: the login page deals with those).
  AuthorizeOutcome authorize(const AuthorizeParams& params,
                             const std::optional<Principal>& browser, std::string_view address);

  // The origin ("https://host:port") of `redirect_uri` when it is registered for `client_id`:
  // the login page lets its form's redirect chain reach it (CSP form-action).
  std::optional<std::string> registered_redirect_origin(std::string_view client_id,
                                                        std::string_view redirect_uri);

 private:
  OidcContext& context_;
};

// "scheme://host[:port]" of an absolute http(s) URL; nullopt for anything else.
std::optional<std::string> url_origin(std::string_view url);

// `base` with `name=value` pairs appended to its query (percent-encoded).
std::string with_query(std::string base,
                       std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);

}  // namespace automation::oidc
