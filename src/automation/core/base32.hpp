#pragma once

// RFC 4648 base32 (A-Z, 2-7), the text form of TOTP secrets and of recovery codes.

#include <optional>
#include <string>
#include <string_view>

namespace automation {

// Upper case, without '=' padding (as otpauth URIs and authenticator apps take secrets).
std::string base32_encode(std::string_view bytes);

// Case-insensitive; '=' padding and spaces ignored. nullopt for any other character, or for
// a length no encoding produces.
std::optional<std::string> base32_decode(std::string_view text);

}  // namespace automation
