#pragma once

// Argon2id password hashing (libsodium), producing and checking PHC strings such as
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>".

#include <cstddef>
#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::crypto {

// Cost parameters. The defaults are the OWASP minimum for Argon2id (m = 19 MiB, t = 2,
// p = 1); libsodium always uses one lane, so p is not configurable.
struct Argon2Params {
  std::size_t memory_kib = 19456;
  unsigned long long iterations = 2;
};

// Thread-safe after construction (all methods are const and share no mutable state).
class Argon2Hasher {
 public:
  // Bounds accepted for configured parameters and for parameters read from stored hashes.
  // The floor is libsodium's (8 KiB, 1 pass); the ceiling exists so a hostile stored
  // hash cannot make one verification allocate gigabytes or run for minutes.
  static constexpr std::size_t kMinMemoryKib = 8;
  static constexpr std::size_t kMaxMemoryKib = 1024 * 1024;  // 1 GiB
  static constexpr unsigned long long kMinIterations = 1;
  static constexpr unsigned long long kMaxIterations = 64;

  // kInvalidArgument (field "memory_kib" or "iterations") when params are outside the
  // bounds above. The config loader should call this; the policy minimum (OWASP) is the
  // config's business, tests legitimately use cheaper parameters.
  [[nodiscard]] static Status validate(const Argon2Params& params);

  // Throws std::invalid_argument when validate(params) fails (a configuration bug).
  explicit Argon2Hasher(Argon2Params params = {});

  // A new PHC string with a fresh random salt. kInternal when libsodium fails (in
  // practice: the memory for the hash could not be allocated).
  [[nodiscard]] Result<std::string> hash(std::string_view password) const;

  // True only for a well-formed $argon2id$ string within the bounds above whose hash
  // matches. Comparison is constant-time (libsodium).
  [[nodiscard]] bool verify(std::string_view password, std::string_view stored) const;

  // True when `stored` was not made with exactly the configured parameters (weaker or
  // stronger) or cannot be parsed. Meaningful after verify() returned true.
  [[nodiscard]] bool needs_rehash(std::string_view stored) const;

  // True when `stored` has the shape libsodium writes ("$argon2id$v=19$m=..,t=..,p=1$...")
  // with costs within the bounds above. Cheap: parses the header, derives nothing.
  [[nodiscard]] static bool is_argon2id_hash(std::string_view stored) noexcept;

  [[nodiscard]] const Argon2Params& params() const noexcept { return params_; }

 private:
  Argon2Params params_;
};

}  // namespace automation::crypto
