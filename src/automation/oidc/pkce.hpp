#pragma once

// Proof Key for Code Exchange (RFC 7636), method S256 only: "plain" would hand the verifier
// to anyone who sees the authorization request.

#include <string_view>

namespace automation::oidc {

// An S256 code_challenge: base64url without padding of a SHA-256, so 43 characters.
bool is_s256_challenge(std::string_view challenge);
// A code_verifier: 43 to 128 of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1).
bool is_code_verifier(std::string_view verifier);
// BASE64URL(SHA256(verifier)) == challenge, compared in constant time.
bool verifier_matches(std::string_view verifier, std::string_view challenge);

}  // namespace automation::oidc
