#pragma once

// The OpenID Connect provider's published signing keys at one moment: the current RS256 key,
// the current ES256 key (what new tokens are signed with), and every other key still
// published (a previous key until what it signed has expired). Immutable once built: a
// rotation builds a new set (OidcKeys hands out the current one).

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/oidc/signing_key.hpp"

namespace automation::oidc {

// Longest compact JWS verify() reads; longer ones are refused before any decoding.
inline constexpr std::size_t kMaxVerifiedTokenBytes = 16 * 1024;

class OidcKeySet {
 public:
  using Key = std::shared_ptr<const OidcSigningKey>;

  // `current` holds exactly one RS256 and one ES256 key; `also_published` any others (each
  // kid once across both lists). kInvalidArgument otherwise.
  static Result<OidcKeySet> make(std::vector<Key> current, std::vector<Key> also_published);

  // A compact JWS of `claims` (a JSON object), header {"alg", "typ", "kid"} with the current
  // key of `alg` ("RS256" or "ES256"). kInvalidArgument for another alg or claims that are
  // not an object (or hold invalid UTF-8).
  Result<std::string> sign(const nlohmann::json& claims, std::string_view typ = "JWT",
                           std::string_view alg = "RS256") const;
  // The payload object of a compact JWS whose signature checks with the published key its
  // header's "kid" names, where the header's "alg" is that key's algorithm (so never "none",
  // HS256 or an RSA alg on an EC key) and no "crit" is present. Checks NO claims (exp, aud,
  // iss: the caller's). kUnauthenticated with a generic message for anything else.
  Result<nlohmann::json> verify(std::string_view token) const;
  // {"keys": [...]}: every published public key, the current ones first.
  nlohmann::json jwks() const;
  // {"RS256", "ES256"}: the algorithms sign() takes (discovery's
  // id_token_signing_alg_values_supported).
  std::vector<std::string> signing_algorithms() const;

  // The kid of the current key of `alg`; "" for an unknown alg.
  std::string current_kid(std::string_view alg) const;
  // True when `kid` names a published key.
  bool publishes(std::string_view kid) const;
  // The "kid" of a compact JWS's header, read without checking anything (to tell a token of
  // a key this set does not know yet); nullopt when there is none.
  static std::optional<std::string> kid_of(std::string_view token);

 private:
  OidcKeySet() = default;
  const OidcSigningKey* find(std::string_view kid) const;

  Key current_rs256_;
  Key current_es256_;
  std::vector<Key> published_;  // every key, the current ones first
};

}  // namespace automation::oidc
