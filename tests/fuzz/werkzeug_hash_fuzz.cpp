// werkzeug password hash strings: parsing (is_werkzeug_hash) and verification.
//
// Input: the stored hash, a '\n', then the password (raw bytes).
// The library accepts costs up to WerkzeugLimits (10,000,000 PBKDF2 iterations, 1 GiB of
// scrypt), which is right for a login but would make a fuzz run spend seconds per input. So
// verify_werkzeug_hash() runs only when the cost written in the method is small
// (cheap_to_verify below: at most kMaxFuzzPbkdf2Iterations, or 128*N*r*p at most
// kMaxFuzzScryptBytes); bare "pbkdf2" / "scrypt" (werkzeug's defaults, 1,000,000 iterations
// and 32 MiB) and any cost this check cannot read are only parsed. Parsing always runs.
// Invariant: a hash that verifies is well-formed.
#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "automation/crypto/werkzeug_hash.hpp"

#include "fuzz_invariant.hpp"

namespace {

using automation::fuzzing::invariant_broken;

constexpr std::uint64_t kMaxFuzzPbkdf2Iterations = 20'000;
constexpr std::uint64_t kMaxFuzzScryptBytes = std::uint64_t{1} << 21;  // 2 MiB

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// A plain decimal of at most 9 digits (no sign, no spaces); anything else is "unknown".
bool small_decimal(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 9) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  std::from_chars(text.data(), text.data() + text.size(), value);
  return true;
}

std::string_view next_field(std::string_view& rest) {
  const auto colon = rest.find(':');
  const std::string_view field = rest.substr(0, colon);
  rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  return field;
}

// Conservative: true only when the method part names a cost known to be small.
bool cheap_to_verify(std::string_view stored) {
  std::string_view method = stored.substr(0, stored.find('$'));
  if (starts_with_ignoring_case(method, "pbkdf2")) {
    next_field(method);  // "pbkdf2"
    next_field(method);  // the digest name
    std::uint64_t iterations = 0;
    return small_decimal(method, iterations) && iterations <= kMaxFuzzPbkdf2Iterations;
  }
  if (starts_with_ignoring_case(method, "scrypt")) {
    next_field(method);  // "scrypt"
    std::uint64_t n = 0, r = 0, p = 0;
    if (!small_decimal(next_field(method), n) || !small_decimal(next_field(method), r) ||
        !small_decimal(method, p)) {
      return false;
    }
    // 128 * N * r * p, checked after each factor so that no product exceeds 2^42.
    std::uint64_t bytes = 128;
    for (const std::uint64_t factor : {n, r, p}) {
      if (factor > kMaxFuzzScryptBytes) return false;
      bytes *= factor;
      if (bytes > kMaxFuzzScryptBytes) return false;
    }
    return true;
  }
  return true;  // legacy sha1$ / sha256$ (one HMAC) and unknown methods
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view stored = input.substr(0, newline);
  const std::string_view password =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  const bool well_formed = automation::crypto::is_werkzeug_hash(stored);
  if (!cheap_to_verify(stored)) return 0;
  if (automation::crypto::verify_werkzeug_hash(password, stored) && !well_formed) {
    invariant_broken("a hash that is not well-formed verifies");
  }
  return 0;
}
