#pragma once

// Internal to the crypto layer: lowercase hex encoding shared by the digest and KDF code.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace automation::crypto::detail {

// Lowercase hex of the bytes (2 characters per byte). Branch-free per nibble, so the
// encoding of a derived key does not leak through table lookups or branches.
std::string to_lower_hex(std::span<const unsigned char> bytes);

// True when every character is in [0-9a-f] (an empty view is vacuously true).
bool is_lower_hex(std::string_view text) noexcept;

}  // namespace automation::crypto::detail
