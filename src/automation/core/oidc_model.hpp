#pragma once

// Values of the OpenID Connect provider (issue 27, docs/oidc.md): the registered clients and
// the grants issued to them. Secrets, codes and refresh tokens are kept as SHA-256 digests
// only (lowercase hex, as TokenDigester makes them): none of them is ever stored in the clear.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "automation/core/model.hpp"

namespace automation {

// A relying party registered by the local administrator (`automation oidc client add`).
struct OidcClient {
  std::string client_id;  // random, public (32 lowercase hex characters)
  std::string name;       // unique (case-insensitive), e.g. "ignition"
  // Exact-match list; at least one unless the client only uses client_credentials.
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  bool is_public = false;           // no secret; PKCE required (token auth method "none")
  bool client_credentials = false;  // may use grant client_credentials (confidential only)
  std::string secret_digest;        // hex SHA-256 of the secret; "" for public clients
  UnixSeconds created_at = 0;
  std::string created_by;
  // How its ID tokens are signed: "RS256" (the default, which every relying party supports)
  // or "ES256" (`--id-token-alg`); access tokens are RS256 for every client.
  std::string id_token_alg = "RS256";
};

// An authorization code (the code itself is never stored).
struct OidcCode {
  std::string code_digest;
  std::string client_id;
  std::string redirect_uri;
  std::string session_digest;  // the browser session (sessions.token_digest) it was issued under
  std::int64_t user_id = 0;
  std::string scope;
  std::string nonce;
  std::string code_challenge;  // PKCE S256 challenge
  UnixSeconds auth_time = 0;
  std::string amr;  // space-separated, e.g. "pwd" or "pwd otp"
  UnixSeconds expires_at = 0;
};

// A refresh token (the token itself is never stored). Rotated on every use: the successor joins
// the same family, and the used one stays (used = true) until it expires, so that presenting it
// again is recognised as reuse and ends the whole family.
struct OidcRefreshToken {
  std::string token_digest;
  std::string family_id;
  std::string client_id;
  std::string session_digest;  // refresh tokens live and die with their session
  std::int64_t user_id = 0;
  std::string scope;
  UnixSeconds auth_time = 0;
  std::string amr;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
  bool used = false;
};

// What presenting a refresh token came to.
enum class RefreshOutcome {
  kRedeemed,  // it was valid and is now used (the caller issues its successor)
  kReused,    // it had been used already: its whole family was deleted
  kExpired,   // it expired (and was deleted)
  kUnknown,   // no such token (never issued, revoked, or its family ended)
};

struct RefreshRedemption {
  RefreshOutcome outcome = RefreshOutcome::kUnknown;
  std::optional<OidcRefreshToken> token;  // the record, for kRedeemed, kReused and kExpired
};

}  // namespace automation
