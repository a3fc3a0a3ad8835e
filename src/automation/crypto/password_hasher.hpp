#pragma once

// The PasswordHasher port: Argon2id for new hashes, plus verification of the werkzeug
// formats PyAutomation databases contain, so legacy users can log in and be upgraded.

#include <string>
#include <string_view>

#include "automation/core/ports.hpp"
#include "automation/crypto/argon2_hasher.hpp"

namespace automation::crypto {

// Thread-safe after construction: every method may be called concurrently from the
// hashing worker pool.
class DefaultPasswordHasher final : public PasswordHasher {
 public:
  // Hashes one random password with `params` to build dummy_hash(), so construction
  // costs one Argon2id hash. Throws std::invalid_argument for params rejected by
  // Argon2Hasher::validate, std::runtime_error if libsodium cannot hash at start-up.
  explicit DefaultPasswordHasher(Argon2Params params = {});

  // Argon2id PHC string with the configured parameters; kInternal if libsodium fails.
  Result<std::string> hash(std::string_view password) override;

  // Argon2id (Argon2Hasher::is_argon2id_hash) -> libsodium verify; needs_rehash when its
  //                    parameters differ from the configured ones.
  // werkzeug formats (is_werkzeug_hash) -> verify_werkzeug_hash; needs_rehash whenever
  //                    it matches (every werkzeug format is legacy).
  // Anything else ("plain$...", "", unknown, malformed, costs over the limits) never
  // matches; it still costs one Argon2id verification against dummy_hash(), so a broken
  // stored hash answers in about the time of a wrong password.
  PasswordCheck verify(std::string_view password, std::string_view stored) override;

  // An Argon2id hash of an unguessable random password, made once with the configured
  // parameters. verify() checks against it whenever the stored value is unusable, including
  // the empty one the core passes for unknown users, so "no such user" takes as long as
  // "wrong password". Exposed for tests.
  [[nodiscard]] const std::string& dummy_hash() const noexcept { return dummy_hash_; }

 private:
  Argon2Hasher argon2_;
  std::string dummy_hash_;
};

}  // namespace automation::crypto
