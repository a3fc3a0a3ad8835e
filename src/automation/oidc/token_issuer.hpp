#pragma once

// The provider's tokens: ID tokens (OpenID Connect Core §2) and access tokens (JWT profile,
// RFC 9068: header typ "at+jwt"), signed with the current key of the ring (RS256, the
// algorithm Discovery requires), and opaque refresh tokens. The claims about a user come from
// the user as stored now, never from the request.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"
#include "automation/oidc/provider_context.hpp"
#include "automation/oidc/scopes.hpp"

namespace automation::oidc {

// What a token speaks for.
struct Grant {
  std::string client_id;
  std::optional<User> user;  // nullopt: the client itself (client_credentials; sub = client_id)
  std::string session_id;    // the browser session's public id ("" for a client)
  Scopes scopes;
  UnixSeconds auth_time = 0;
  std::string amr;    // space-separated methods: "pwd", "pwd otp"
  std::string nonce;  // ID token only; "" = none
  std::string id_token_alg = "RS256";  // the client's (OidcClient::id_token_alg)
  // The refresh-token family of the grant ("" = none): its access tokens carry it as `fid`,
  // and die with it (revocation, reuse, the session's end).
  std::string family_id;
};

class TokenIssuer {
 public:
  explicit TokenIssuer(OidcContext& context) : context_(context) {}

  Result<std::string> access_token(const Grant& grant, UnixSeconds now) const;
  Result<std::string> id_token(const Grant& grant, UnixSeconds now) const;
  // The claims about `user` that `scopes` release (ID token and userinfo share them):
  // profile: preferred_username, name; email: email; roles: roles, role_level.
  static nlohmann::json user_claims(const User& user, const Scopes& scopes);
  // A new opaque refresh token (256 random bits; only its digest is stored).
  std::string new_refresh_token() const { return context_.random.random_hex(32); }

 private:
  OidcContext& context_;
};

// The claim `amr` as JSON (an array of the methods).
nlohmann::json amr_claim(const std::string& amr);

}  // namespace automation::oidc
