#include "automation/http/auth.hpp"

#include <utility>

#include "automation/core/text.hpp"
#include "automation/http/request_site.hpp"
#include "automation/http/session_cookie.hpp"

namespace automation::http {
namespace {

// Session keys are lowercase hex (crypto::SecureRandom); anything else in the cookie is
// forged or garbled, and never reaches the third-party-token check (no JWT by cookie).
constexpr std::size_t kMaxCookieKeyBytes = 256;
bool could_be_session_key(std::string_view value) {
  return !value.empty() && value.size() <= kMaxCookieKeyBytes &&
         value.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

// The method the cross-site check judges: the original request's, for forward authentication
// (a method we have no name for counts as state-changing).
Method judged_method(const Request& request, KeyPolicy policy) {
  if (policy != KeyPolicy::kForwarded) return request.method;
  for (const std::string_view header : {"X-Forwarded-Method", "X-Original-Method"}) {
    if (const auto name = request.headers.find(header)) {
      return method_named(trim(*name)).value_or(Method::kPost);
    }
  }
  return request.method;
}

std::unexpected<Error> cross_site_refused() {
  Error error = Error::make(ErrorCode::kPermissionDenied,
                            "Cross-site request refused: a browser session needs the Origin "
                            "(or Referer) of this site");
  error.type = std::string(kCrossSiteRequest);
  return fail(std::move(error));
}

// The session cookie as a key, when the cross-site check lets it count (see auth.hpp).
Result<ExtractedKey> cookie_key(const Request& request, KeyPolicy policy,
                                const CorsPolicy& browser_origins) {
  ExtractedKey extracted;
  const auto header = request.headers.find("Cookie");
  if (!header) return extracted;
  const auto value = session_cookie_value(*header);
  if (!value) return extracted;
  // Safe requests are judged by Origin alone: a link followed from another site (a top-level
  // navigation, which SameSite=Lax lets the cookie join) names that site in Referer only.
  const bool safe = is_safe_method(judged_method(request, policy));
  switch (safe ? origin_site(request, browser_origins) : request_site(request, browser_origins)) {
    case RequestSite::kTrusted:
      break;
    case RequestSite::kForeign:
      if (safe) return extracted;  // as if sent without the cookie
      return cross_site_refused();
    case RequestSite::kUnstated:
      if (!safe) return cross_site_refused();
      break;
  }
  extracted.present = true;
  if (!could_be_session_key(*value)) {
    extracted.malformed = true;
    return extracted;
  }
  extracted.key = *value;
  return extracted;
}

}  // namespace

ExtractedKey extract_api_key(const Request& request) {
  ExtractedKey extracted;
  // An empty or blank X-API-KEY is no key: it must not hide a key sent in Authorization.
  if (request.x_api_key) {
    extracted.key = trim(*request.x_api_key);
    if (!extracted.key.empty()) {
      extracted.present = true;
      return extracted;
    }
  }
  if (!request.authorization) return extracted;
  const std::string_view value = trim(*request.authorization);
  if (value.empty()) return extracted;
  const auto space = value.find_first_of(" \t");
  const std::string_view scheme = value.substr(0, space);
  if (!iequals_ascii(scheme, "Token") && !iequals_ascii(scheme, "Bearer")) {
    // Another scheme (Basic, ...) carries a credential, but none of ours: a bad key.
    extracted.present = true;
    extracted.malformed = true;
    return extracted;
  }
  // "Token" or "Bearer" without a key after it is no key.
  extracted.key = space == std::string_view::npos ? std::string_view() : trim(value.substr(space));
  extracted.present = !extracted.key.empty();
  return extracted;
}

bool carries_credential(const Request& request) {
  if (extract_api_key(request).present) return true;
  const auto cookie = request.headers.find("Cookie");
  return cookie && session_cookie_value(*cookie).has_value();
}

Result<Caller> authenticate_caller(AuthorizedApi& api, const Request& request, KeyPolicy policy,
                                   const CorsPolicy* browser_origins) {
  Caller caller{std::nullopt, request.address};
  if (policy == KeyPolicy::kNone) return caller;
  ExtractedKey extracted;
  if (policy != KeyPolicy::kBrowserSession) extracted = extract_api_key(request);
  if (!extracted.present && browser_origins != nullptr) {
    auto cookie = cookie_key(request, policy, *browser_origins);
    if (!cookie) return fail(std::move(cookie.error()));
    extracted = *cookie;
  }
  if (!extracted.present && policy == KeyPolicy::kOptional) return caller;
  if (extracted.malformed) return fail(ErrorCode::kUnauthenticated, "Invalid token");
  // No key at all reaches the core as "", which answers "Key is missing.".
  KeyPurpose purpose = KeyPurpose::kAnyOperation;
  if (policy == KeyPolicy::kRequiredEvenBeforePasswordChange ||
      policy == KeyPolicy::kBrowserSession) {
    purpose = KeyPurpose::kPasswordChangeOrLogout;
  } else if (policy == KeyPolicy::kRequiredForMfaEnrollment) {
    purpose = KeyPurpose::kMfaEnrollment;
  }
  auto principal = api.authenticate(extracted.key, purpose);
  if (!principal) return fail(std::move(principal.error()));
  caller.principal = std::move(*principal);
  return caller;
}

}  // namespace automation::http
