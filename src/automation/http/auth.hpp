#pragma once

// The one place that finds the API key of a request and resolves it to a principal.
// Accepted: `X-API-KEY: <key>`, `Authorization: Token <key>`, `Authorization: Bearer <key>`
// (X-API-KEY wins when both carry a key; an empty or blank one counts as not sent), and,
// where the server allows browser sessions and no header carries a key, the
// `automation_session` cookie, for requests that pass the cross-site check (SPEC §8):
// - a safe request (GET, HEAD, OPTIONS) whose Origin names another origin is taken as sent
//   without the cookie (a link followed from another site sends no Origin, and works);
// - a state-changing request must name this service's origin or one CORS lists in Origin (or,
//   without Origin, in Referer); otherwise it is refused (403, error type
//   "cross_site_request");
// - a cookie that cannot be a session key (a JWT, any byte but hex, too long) is an invalid key.
// Resolution never runs a KDF, so it runs on I/O threads.

#include <optional>
#include <string_view>

#include "automation/core/authorized_api.hpp"
#include "automation/core/error.hpp"
#include "automation/core/requests.hpp"
#include "automation/http/cors.hpp"
#include "automation/http/http_message.hpp"

namespace automation::http {

// What a route demands of the caller.
enum class KeyPolicy {
  kNone,      // anonymous route (login, health): key headers are ignored
  kOptional,  // signup: anonymous, but a key that is sent must be valid
  kRequired,  // everything else
  // change_password and logout: required, and usable by a session that must change its
  // password first (every other route refuses such a session: AuthorizedApi::authenticate)
  kRequiredEvenBeforePasswordChange,
  // the caller's own MFA set-up: required, and usable by a session whose role must use MFA
  // and that has none yet (every other route refuses such a session)
  kRequiredForMfaEnrollment,
  // The routes below resolve the credential in their handler (authenticate_caller with this
  // policy), to answer refusals their own way; the server runs them like key-checked routes.
  // Forward authentication: the credential of the original request a reverse proxy passes on;
  // the cross-site check judges the original method (X-Forwarded-Method, X-Original-Method).
  kForwarded,
  // The login page: the session cookie only (pages send no key headers), usable by a session
  // that must change its password first.
  kBrowserSession,
};

// True for the policies whose routes resolve the credential in their handler.
constexpr bool resolved_by_handler(KeyPolicy policy) {
  return policy == KeyPolicy::kForwarded || policy == KeyPolicy::kBrowserSession;
}

// The error type of a cookie-authenticated request refused by the cross-site check.
inline constexpr std::string_view kCrossSiteRequest = "cross_site_request";

struct ExtractedKey {
  bool present = false;    // a non-blank key, or a credential of another scheme, was sent
  bool malformed = false;  // Authorization with a scheme other than Token/Bearer
  std::string_view key;    // trimmed; views into the request; empty when !present
};

ExtractedKey extract_api_key(const Request& request);

// True when the request carries any credential: a key in a header, or the session cookie
// (whether or not it would count).
bool carries_credential(const Request& request);

// The caller of `request` under `policy`: kUnauthenticated "Key is missing." (upstream's words)
// when a required key is missing, "Invalid token" when a key is unknown, expired, revoked or
// malformed; kPermissionDenied (type kCrossSiteRequest) from the cross-site check.
// `browser_origins`: where the server takes the session cookie, the origins besides its own
// whose requests it answers (the CORS policy's list); nullptr: the cookie is no credential.
Result<Caller> authenticate_caller(AuthorizedApi& api, const Request& request, KeyPolicy policy,
                                   const CorsPolicy* browser_origins = nullptr);

}  // namespace automation::http
