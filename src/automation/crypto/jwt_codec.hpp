#pragma once

// HS256 JSON Web Tokens for third-party tokens (TPT), on libjwt 1.10.

#include <cstddef>
#include <string>
#include <string_view>

#include "automation/core/ports.hpp"

namespace automation::crypto {

// Stateless and thread-safe.
class Hs256JwtCodec final : public JwtCodec {
 public:
  // Longest token verify() looks at; real TPTs are a few hundred bytes.
  static constexpr std::size_t kMaxTokenBytes = 8192;

  // An HS256 JWT with claims role, created_on, jti (strings), iat and, only when set,
  // exp (integers). `secret` is raw bytes. kInvalidArgument for an empty secret or a
  // claim string that is not valid UTF-8 or contains NUL; kInternal if libjwt fails.
  Result<std::string> sign(const TptClaims& claims, std::string_view secret) override;

  // The claims of a token whose header says exactly "alg":"HS256" and whose signature
  // is valid for `secret`, with role/created_on/jti strings, iat an integer and exp an
  // integer when present. Anything else -- alg "none" or any other alg, a bad
  // signature, missing or mistyped claims, malformed input -- is kUnauthenticated
  // "Invalid token". Expiry and revocation are not checked here.
  Result<TptClaims> verify(std::string_view token, std::string_view secret) override;
};

}  // namespace automation::crypto
