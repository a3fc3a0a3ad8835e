#pragma once

// One OpenID Connect signing key over OpenSSL 3 EVP: RS256 (RSA, 2048 bits when generated)
// or ES256 (ECDSA on P-256). It generates, reads and writes PEM, publishes its public JWK
// (RFC 7517/7518) named by its RFC 7638 thumbprint, and signs and verifies JWS signing
// inputs (RFC 7515), ES256 signatures in JWS form (r||s, 64 bytes), not DER.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::oidc {

enum class JwsAlgorithm { kRs256, kEs256 };

// "RS256" or "ES256".
std::string_view to_string(JwsAlgorithm algorithm) noexcept;
// The algorithm named exactly `name` ("RS256", "ES256"); nullopt for any other ("none",
// "HS256", "rs256", ...).
std::optional<JwsAlgorithm> jws_algorithm_named(std::string_view name) noexcept;

// The RFC 7638 thumbprint of a public JWK (base64url of the SHA-256 of its required members
// in lexicographic order, no white space): RSA {e, kty, n}, EC {crv, kty, x, y}. nullopt when
// `jwk` is not an RSA or EC public JWK with those members as strings.
std::optional<std::string> jwk_thumbprint(const nlohmann::json& jwk);

class OidcSigningKey {
 public:
  // A new random key: RSA 2048 for RS256, P-256 for ES256.
  static Result<OidcSigningKey> generate(JwsAlgorithm algorithm);
  // A PEM private key (PKCS#8 "PRIVATE KEY", or OpenSSL's "RSA PRIVATE KEY" / "EC PRIVATE
  // KEY"): RSA of at least 2048 bits is RS256, EC on P-256 is ES256; anything else (other
  // curves, Ed25519, encrypted PEM, a public key) is kInvalidArgument.
  static Result<OidcSigningKey> from_pem(std::string_view pem);

  ~OidcSigningKey();
  OidcSigningKey(OidcSigningKey&&) noexcept;
  OidcSigningKey& operator=(OidcSigningKey&&) noexcept;
  OidcSigningKey(const OidcSigningKey&) = delete;
  OidcSigningKey& operator=(const OidcSigningKey&) = delete;

  JwsAlgorithm algorithm() const noexcept { return algorithm_; }
  // The RFC 7638 thumbprint of the public key: the JWK's and the JWS header's "kid".
  const std::string& kid() const noexcept { return kid_; }
  // {"kty","n","e"} or {"kty","crv","x","y"}, with "use":"sig", "alg" and "kid".
  const nlohmann::json& public_jwk() const noexcept { return public_jwk_; }
  // The private key as PKCS#8 PEM (unencrypted: keep it where only the service reads it).
  Result<std::string> private_pem() const;

  // The JWS signature of `signing_input` (the bytes, not base64url): PKCS#1 v1.5 with
  // SHA-256 for RS256, r||s (64 bytes) for ES256.
  Result<std::string> sign(std::string_view signing_input) const;
  // True when `signature` (bytes, in the form sign() makes) is this key's signature of
  // `signing_input`; false for anything else, a DER-encoded ECDSA signature included.
  bool verify(std::string_view signing_input, std::string_view signature) const;

 private:
  struct Pkey;  // the EVP_PKEY, kept out of this header
  OidcSigningKey(std::unique_ptr<Pkey> key, JwsAlgorithm algorithm);
  Status describe();  // fills public_jwk_ and kid_ from the key

  std::unique_ptr<Pkey> key_;
  JwsAlgorithm algorithm_;
  nlohmann::json public_jwk_;
  std::string kid_;
};

}  // namespace automation::oidc
