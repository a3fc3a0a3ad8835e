#pragma once

// What resource servers and clients ask of a token: /userinfo (OpenID Connect Core §5.3),
// introspection (RFC 7662) and revocation (RFC 7009). An access token is a signed JWT, so a
// resource server may check it alone until it expires; these answers are the strict ones:
// the signature, the expiry, and the grant behind it as it is now (the user exists and is not
// sudo, the browser session is live; for a client's own token, the client keeps the grant).

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "automation/core/error.hpp"
#include "automation/oidc/provider_context.hpp"

namespace automation::oidc {

class TokenChecks {
 public:
  explicit TokenChecks(OidcContext& context) : context_(context) {}

  // The claims of the access token's user its scopes release; invalid_token (kUnauthenticated)
  // for anything but a live access token of a user.
  Result<nlohmann::json> userinfo(std::string_view access_token, std::string_view address);
  // RFC 7662 for a client that authenticates (any confidential client may ask): {"active":
  // false} for anything not live, else the token's facts. `hint`: token_type_hint.
  Result<nlohmann::json> introspect(std::string_view client_id,
                                    std::optional<std::string_view> secret,
                                    std::string_view token, std::string_view address);
  // RFC 7009: a refresh token of the calling client ends with its whole family, an access
  // token of the calling client is refused from then on by userinfo and introspection (its
  // jti is kept until it expires); anything else (another client's token, an unknown one)
  // answers success and changes nothing, as §2.2 asks.
  Status revoke(std::string_view client_id, std::optional<std::string_view> secret,
                std::string_view token, std::string_view address);

 private:
  struct LiveAccess {
    nlohmann::json claims;
    std::optional<User> user;  // nullopt: a client's own token
  };
  Status revoke_access_token(const OidcClient& client, std::string_view token,
                             std::string_view address);
  // The access token's claims when it is live now (see above); why not, otherwise.
  Result<LiveAccess> live_access_token(std::string_view token);

  OidcContext& context_;
};

}  // namespace automation::oidc
