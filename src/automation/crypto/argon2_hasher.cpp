#include "automation/crypto/argon2_hasher.hpp"

#include <sodium.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "automation/crypto/idle_hash_thread.hpp"
#include "automation/crypto/sodium_runtime.hpp"

namespace automation::crypto {

namespace {

// libsodium counts memory in bytes; our parameters are KiB like the PHC string's "m=".
std::size_t memlimit_bytes(const Argon2Params& params) { return params.memory_kib * 1024U; }

// libsodium declares its pointer arguments non-null; an empty string_view may carry
// nullptr, so hand it a real (empty) buffer instead.
const char* password_ptr(std::string_view password) {
  return password.empty() ? "" : password.data();
}

struct StoredCost {
  std::uint64_t memory_kib = 0;
  std::uint64_t iterations = 0;
  std::uint64_t lanes = 0;
};

// Reads "<digits><terminator>" at the front of `text`, advancing it past the terminator.
std::optional<std::uint64_t> take_number(std::string_view& text, char terminator) {
  const auto end = text.find(terminator);
  if (end == std::string_view::npos || end == 0 || end > 10) return std::nullopt;
  std::uint64_t value = 0;
  const auto* first = text.data();
  const auto* last = text.data() + end;
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last) return std::nullopt;
  text.remove_prefix(end + 1);
  return value;
}

// Parses the cost part of the exact shape libsodium writes:
// "$argon2id$v=19$m=<m>,t=<t>,p=<p>$...". Anything else is rejected before libsodium
// sees it, so a stored string cannot ask for unbounded memory or time.
std::optional<StoredCost> parse_cost(std::string_view stored) {
  constexpr std::string_view kHead = "$argon2id$v=19$m=";
  if (!stored.starts_with(kHead)) return std::nullopt;
  stored.remove_prefix(kHead.size());
  const auto m = take_number(stored, ',');
  if (!m || !stored.starts_with("t=")) return std::nullopt;
  stored.remove_prefix(2);
  const auto t = take_number(stored, ',');
  if (!t || !stored.starts_with("p=")) return std::nullopt;
  stored.remove_prefix(2);
  const auto p = take_number(stored, '$');
  if (!p) return std::nullopt;
  return StoredCost{*m, *t, *p};
}

bool cost_within_bounds(const StoredCost& cost) {
  return cost.memory_kib >= Argon2Hasher::kMinMemoryKib &&
         cost.memory_kib <= Argon2Hasher::kMaxMemoryKib &&
         cost.iterations >= Argon2Hasher::kMinIterations &&
         cost.iterations <= Argon2Hasher::kMaxIterations && cost.lanes == 1;
}

}  // namespace

Status Argon2Hasher::validate(const Argon2Params& params) {
  if (params.memory_kib < kMinMemoryKib || params.memory_kib > kMaxMemoryKib) {
    return fail(Error::invalid("memory_kib", "must be between 8 and 1048576 (KiB)"));
  }
  if (params.iterations < kMinIterations || params.iterations > kMaxIterations) {
    return fail(Error::invalid("iterations", "must be between 1 and 64"));
  }
  return {};
}

Argon2Hasher::Argon2Hasher(Argon2Params params) : params_(params) {
  if (const auto ok = validate(params_); !ok) {
    throw std::invalid_argument(ok.error().message);
  }
  detail::ensure_sodium_initialized();
}

Result<std::string> Argon2Hasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  int outcome = -1;
  // crypto_pwhash_str uses Argon2id (crypto_pwhash_ALG_DEFAULT) and a random salt.
  detail::run_argon2([&] {
    outcome = crypto_pwhash_str(out, password_ptr(password), password.size(), params_.iterations,
                                memlimit_bytes(params_));
  });
  if (outcome != 0) {
    return fail(ErrorCode::kInternal, "password hashing failed");
  }
  return std::string(out);
}

bool Argon2Hasher::verify(std::string_view password, std::string_view stored) const {
  if (!is_argon2id_hash(stored)) return false;
  const std::string terminated(stored);  // libsodium wants a C string
  int outcome = -1;
  detail::run_argon2([&] {
    outcome = crypto_pwhash_str_verify(terminated.c_str(), password_ptr(password), password.size());
  });
  return outcome == 0;
}

bool Argon2Hasher::needs_rehash(std::string_view stored) const {
  if (stored.size() >= crypto_pwhash_STRBYTES) return true;
  const std::string terminated(stored);
  // 0: same algorithm and parameters; 1: different; -1: unparseable. Only 0 is "current".
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), params_.iterations,
                                        memlimit_bytes(params_)) != 0;
}

bool Argon2Hasher::is_argon2id_hash(std::string_view stored) noexcept {
  if (stored.size() >= crypto_pwhash_STRBYTES) return false;
  if (stored.find('\0') != std::string_view::npos) return false;
  const auto cost = parse_cost(stored);
  return cost && cost_within_bounds(*cost);
}

}  // namespace automation::crypto
