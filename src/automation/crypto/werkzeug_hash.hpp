#pragma once

// Verification of password hashes written by Python werkzeug's generate_password_hash,
// the formats found in PyAutomation databases (see tests/testdata/werkzeug_hashes.README.md):
//
//   pbkdf2:<sha1|sha256|sha512>[:<iterations>]$<salt>$<hex>   PBKDF2-HMAC, dklen = digest size
//   scrypt[:<N>:<r>:<p>]$<salt>$<hex>                          scrypt, dklen = 64
//   sha256$<salt>$<hex>, sha1$<salt>$<hex>                      legacy HMAC(key = salt, msg = pw);
//                                                               empty salt = plain digest of pw
//
// New hashes are Argon2id (argon2_hasher.hpp) unless AUTOMATION_PASSWORD_FORMAT=werkzeug asks
// for hashes upstream PyAutomation can read: then make_werkzeug_pbkdf2_hash writes them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::crypto {

// Limits on the parameters read from a stored hash, so that a hostile or corrupt hash
// cannot turn one login into a denial of service. werkzeug's own defaults (pbkdf2
// 1,000,000 iterations, scrypt N = 32768, r = 8, p = 1) are well inside them.
struct WerkzeugLimits {
  static constexpr std::uint64_t kMaxPbkdf2Iterations = 10'000'000;
  static constexpr std::uint64_t kMaxScryptN = std::uint64_t{1} << 20;
  static constexpr std::uint64_t kMaxScryptR = 32;
  static constexpr std::uint64_t kMaxScryptP = 16;
  // Bound on 128 * N * r * p: memory of one lane times the number of lanes, i.e. both
  // the memory werkzeug allows (maxmem = 132 * N * r * p) and the total work.
  static constexpr std::uint64_t kMaxScryptBytes = std::uint64_t{1} << 30;  // 1 GiB
  static constexpr std::size_t kMaxSaltBytes = 1024;
};

// True when `stored` is a well-formed hash in one of the formats above, with parameters
// within WerkzeugLimits and a lowercase hex digest of the exact length the method
// produces. Cheap: derives nothing.
[[nodiscard]] bool is_werkzeug_hash(std::string_view stored) noexcept;

// What werkzeug's check_password_hash(stored, password) returns, for the formats above:
// true iff `stored` is well-formed (is_werkzeug_hash) and the digest derived from
// `password` (raw UTF-8 bytes, no normalisation) equals the stored hex text exactly.
// The comparison is constant-time. Unknown methods (including "plain"), malformed
// strings and out-of-limit parameters return false. Thread-safe.
//
// A method without parameters follows werkzeug 3.1 (the version PyAutomation runs):
// "pbkdf2" and "pbkdf2:<hash>" mean 1,000,000 iterations, "scrypt" means 32768:8:1.
// werkzeug itself always writes the parameters, so these forms only occur in hand-made
// hashes; older werkzeug versions read the bare form with their own default
// (260000 in 2.x, 150000 in 1.0), which is why werkzeug never relies on it.
[[nodiscard]] bool verify_werkzeug_hash(std::string_view password, std::string_view stored);

// PBKDF2-HMAC-SHA256 iterations of the werkzeug hashes this service writes: OWASP's figure for
// PBKDF2-SHA256 (werkzeug 3.1's own default is 1,000,000).
inline constexpr std::uint32_t kWerkzeugPbkdf2Iterations = 600'000;

// "pbkdf2:sha256:<iterations>$<salt>$<hex>" as werkzeug's generate_password_hash writes it: a
// 16-character salt of ASCII letters and digits from the CSPRNG (werkzeug's gen_salt), the
// 32-byte derived key in lowercase hex. kInternal when OpenSSL fails.
[[nodiscard]] Result<std::string> make_werkzeug_pbkdf2_hash(
    std::string_view password, std::uint32_t iterations = kWerkzeugPbkdf2Iterations);

}  // namespace automation::crypto
