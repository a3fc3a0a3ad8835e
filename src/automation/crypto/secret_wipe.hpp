#pragma once

#include <string>

namespace automation::crypto {

// Overwrites the characters of a buffer that held a secret (a request body with a password)
// with zeros in a way the compiler cannot elide (sodium_memzero), then empties it.
void wipe_secret(std::string& text) noexcept;

}  // namespace automation::crypto
