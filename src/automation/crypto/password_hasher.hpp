#pragma once

// The PasswordHasher port: Argon2id for new hashes (or, on request, werkzeug's PBKDF2 format so
// upstream PyAutomation can still read the database), plus verification of the werkzeug formats
// PyAutomation databases contain, so legacy users can log in and be upgraded.

#include <string>
#include <string_view>

#include "automation/core/ports.hpp"
#include "automation/crypto/argon2_hasher.hpp"

namespace automation::crypto {

// The format new and upgraded hashes are written in (AUTOMATION_PASSWORD_FORMAT).
enum class PasswordFormat {
  kArgon2id,        // the default: werkzeug hashes are upgraded at their next login
  kWerkzeugPbkdf2,  // pbkdf2:sha256:600000$...: upstream PyAutomation reads every hash written;
                    // existing werkzeug hashes are kept, Argon2id ones rewritten at next login
};

// Thread-safe after construction: every method may be called concurrently from the
// hashing worker pool.
class DefaultPasswordHasher final : public PasswordHasher {
 public:
  // Hashes one random password in `format` to build dummy_hash(), so construction costs one
  // hash. Throws std::invalid_argument for params rejected by Argon2Hasher::validate,
  // std::runtime_error if libsodium or OpenSSL cannot hash at start-up.
  explicit DefaultPasswordHasher(Argon2Params params = {},
                                 PasswordFormat format = PasswordFormat::kArgon2id);

  // A hash in the configured format: an Argon2id PHC string with the configured parameters, or
  // werkzeug's pbkdf2:sha256; kInternal if libsodium or OpenSSL fails.
  Result<std::string> hash(std::string_view password) override;

  // Argon2id (Argon2Hasher::is_argon2id_hash) -> libsodium verify; needs_rehash when its
  //                    parameters differ from the configured ones, or the format is werkzeug.
  // werkzeug formats (is_werkzeug_hash) -> verify_werkzeug_hash; needs_rehash when it
  //                    matches and the format is Argon2id (every werkzeug format is legacy
  //                    then; with the werkzeug format, existing werkzeug hashes are kept).
  // Anything else ("plain$...", "", unknown, malformed, costs over the limits) never
  // matches; it still costs one Argon2id verification against dummy_hash(), so a broken
  // stored hash answers in about the time of a wrong password.
  PasswordCheck verify(std::string_view password, std::string_view stored) override;

  // A hash of an unguessable random password, made once in the configured format and
  // parameters (so it costs what a real user's verification costs). verify() checks against it whenever the stored value is unusable, including
  // the empty one the core passes for unknown users, so "no such user" takes as long as
  // "wrong password". Exposed for tests.
  [[nodiscard]] const std::string& dummy_hash() const noexcept { return dummy_hash_; }

 private:
  Argon2Hasher argon2_;
  PasswordFormat format_;
  std::string dummy_hash_;
};

}  // namespace automation::crypto
