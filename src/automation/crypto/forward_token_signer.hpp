#pragma once

// HS256 JWTs for forward authentication (core/forward_auth.hpp), written directly over
// OpenSSL's HMAC-SHA-256 rather than libjwt: one is minted per proxied request, and libjwt
// builds a jansson tree, encodes it and allocates a dozen times per token (the TPT codec,
// used once per TPT, keeps libjwt). The output is a plain compact JWS: header
// {"alg":"HS256","typ":"JWT"}, the claims as a JSON object, the signature, each base64url
// without padding (RFC 7515), which PyJWT and every JWT library read.

#include <string>
#include <string_view>

#include "automation/core/forward_auth.hpp"

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX

namespace automation::crypto {

// Stateless apart from the key; thread-safe.
class Hs256ForwardSigner final : public ForwardTokenSigner {
 public:
  // `secret`: raw key bytes (the TPT secret, >= 32 bytes by configuration).
  explicit Hs256ForwardSigner(std::string secret);
  ~Hs256ForwardSigner() override;
  Hs256ForwardSigner(const Hs256ForwardSigner&) = delete;
  Hs256ForwardSigner& operator=(const Hs256ForwardSigner&) = delete;

  // {"sub","username","role","role_level","iat","exp","jti"}; strings JSON-escaped (text
  // that is not valid UTF-8, which legacy rows may hold, has its bad bytes replaced by
  // U+FFFD). kInternal only if OpenSSL fails.
  Result<std::string> sign(const ForwardClaims& claims) override;

 private:
  // HMAC-SHA-256 keyed once with the secret; each signature works on a copy of it, which
  // saves the one-shot HMAC()'s algorithm lookup and key schedule (most of a token's cost).
  // Only read after construction, so threads may copy it at once.
  evp_mac_ctx_st* keyed_ = nullptr;
};

// Base64url without padding (RFC 4648 §5), as JWS segments use it.
std::string base64url_encode(std::string_view bytes);

}  // namespace automation::crypto
