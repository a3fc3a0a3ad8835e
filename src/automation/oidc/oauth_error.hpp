#pragma once

// OAuth 2.0's error codes (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, OpenID Connect Core
// §3.1.2.6) as typed errors: Error::type carries the code a client branches on, Error::code
// the kind the HTTP layer maps to a status in its one table (invalid_client 401, a throttled
// client 429, the rest 400 or 401 for a bearer token).

#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::oidc {

inline constexpr std::string_view kInvalidRequest = "invalid_request";
inline constexpr std::string_view kInvalidClient = "invalid_client";
inline constexpr std::string_view kInvalidGrant = "invalid_grant";
inline constexpr std::string_view kUnauthorizedClient = "unauthorized_client";
inline constexpr std::string_view kUnsupportedGrantType = "unsupported_grant_type";
inline constexpr std::string_view kUnsupportedResponseType = "unsupported_response_type";
inline constexpr std::string_view kInvalidScope = "invalid_scope";
inline constexpr std::string_view kAccessDenied = "access_denied";
inline constexpr std::string_view kLoginRequired = "login_required";
inline constexpr std::string_view kInvalidToken = "invalid_token";
inline constexpr std::string_view kServerError = "server_error";
inline constexpr std::string_view kTemporarilyUnavailable = "temporarily_unavailable";

// An error of OAuth type `type` with a description for the client (never a secret).
Error oauth_error(std::string_view type, std::string description);

// The OAuth error code of any error: its type when it is one of the codes above, else the
// code that fits its kind (a store failure is server_error or temporarily_unavailable).
std::string oauth_error_type(const Error& error);

}  // namespace automation::oidc
