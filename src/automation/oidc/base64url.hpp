#pragma once

// base64url without padding (RFC 4648 §5, as JOSE uses it: RFC 7515 §2).

#include <optional>
#include <string>
#include <string_view>

#include "automation/crypto/forward_token_signer.hpp"

namespace automation::oidc {

// Encoding is the crypto layer's (the forwarded-identity tokens use it too).
using crypto::base64url_encode;

// The bytes of `text`, or nullopt unless it is canonical unpadded base64url: only
// A-Z a-z 0-9 - _, no '=', no length of 1 mod 4, and no stray bits in the last character
// (so one token has exactly one spelling).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace automation::oidc
