#pragma once

// Randomness, token digests and constant-time comparison for API keys and ids.

#include <cstddef>
#include <string>
#include <string_view>

#include "automation/core/ports.hpp"

namespace automation::crypto {

// libsodium's CSPRNG (getrandom() on Linux). Thread-safe, stateless.
class SecureRandom final : public RandomSource {
 public:
  // Throws std::runtime_error if libsodium cannot start (fatal: no CSPRNG).
  SecureRandom();

  // n_bytes random bytes as 2 * n_bytes lowercase hex characters. Never fails.
  std::string random_hex(std::size_t n_bytes) override;
};

// SHA-256 through OpenSSL's EVP interface. Thread-safe, stateless.
class Sha256Digester final : public TokenDigester {
 public:
  // 64 lowercase hex characters. Throws std::runtime_error only if OpenSSL's SHA-256
  // itself fails (a broken installation, not an input problem).
  std::string digest(std::string_view token) override;
};

// True when a and b are equal. Different lengths return false at once (lengths are not
// secret here); for equal lengths the time does not depend on the contents.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace automation::crypto
