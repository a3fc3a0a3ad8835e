#pragma once

// The token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6; OpenID Connect Core §3.1.3):
// authorization_code (single use, bound to client, redirect URI, PKCE verifier and browser
// session), refresh_token (rotated at every use; a used one presented again ends its whole
// family, RFC 9700 §4.14.2) and client_credentials (confidential clients registered for it).
// Refresh tokens are issued for the scope offline_access only, and end with the browser
// session they came from (logout, password change, session end), a role change or the user's
// deletion, on every node (the database deletes them with the session: see OidcStore).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "automation/core/error.hpp"
#include "automation/oidc/provider_context.hpp"
#include "automation/oidc/token_issuer.hpp"

namespace automation::oidc {

struct TokenRequest {
  std::string grant_type;
  std::string code;
  std::string redirect_uri;
  std::string code_verifier;
  std::string refresh_token;
  std::optional<std::string> scope;
  // The client as it authenticated: HTTP Basic or the body (client_secret_post), or only its
  // id in the body (a public client).
  std::string client_id;
  std::optional<std::string> client_secret;
  std::string address;
};

class TokenEndpoint {
 public:
  explicit TokenEndpoint(OidcContext& context) : context_(context), issuer_(context) {}

  // The JSON answer of a successful request; errors carry the OAuth error code as their type
  // (oauth_error.hpp).
  Result<nlohmann::json> exchange(const TokenRequest& request);

 private:
  Result<nlohmann::json> authorization_code(const OidcClient& client, const TokenRequest& request);
  Result<nlohmann::json> refresh(const OidcClient& client, const TokenRequest& request);
  Result<nlohmann::json> client_credentials(const OidcClient& client, const TokenRequest& request);
  // The grant of a code or refresh token whose user and browser session are still there (the
  // user as stored now); invalid_grant otherwise.
  Result<Grant> live_grant(const OidcClient& client, std::int64_t user_id,
                           const std::string& session_digest, const Scopes& scopes,
                           UnixSeconds auth_time, const std::string& amr);
  // The answer for a user's grant: access and ID tokens (the caller adds a refresh token).
  Result<nlohmann::json> user_tokens(const Grant& grant);
  // The stored form of a new refresh token `token` for the grant (a family of its own).
  OidcRefreshToken refresh_record(const std::string& token, const OidcClient& client,
                                  const Grant& grant, const std::string& session_digest,
                                  UnixSeconds now) const;

  OidcContext& context_;
  TokenIssuer issuer_;
};

}  // namespace automation::oidc
