#pragma once

// The one place that finds the API key of a request and resolves it to a principal.
// Accepted: `X-API-KEY: <key>`, `Authorization: Token <key>`, `Authorization: Bearer <key>`
// (X-API-KEY wins when both carry a key; an empty or blank one counts as not sent).
// Resolution never runs a KDF, so it runs on I/O threads.

#include <optional>
#include <string_view>

#include "automation/core/authorized_api.hpp"
#include "automation/core/error.hpp"
#include "automation/core/requests.hpp"
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
};

struct ExtractedKey {
  bool present = false;    // a non-blank key, or a credential of another scheme, was sent
  bool malformed = false;  // Authorization with a scheme other than Token/Bearer
  std::string_view key;    // trimmed; views into the request; empty when !present
};

ExtractedKey extract_api_key(const Request& request);

// The caller of `request` under `policy`: kUnauthenticated "Key is missing." (upstream's words)
// when a required key is missing, "Invalid token" when a key is unknown, expired, revoked or
// malformed.
Result<Caller> authenticate_caller(AuthorizedApi& api, const Request& request, KeyPolicy policy);

}  // namespace automation::http
