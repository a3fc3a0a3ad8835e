#include "automation/crypto/password_hasher.hpp"

#include <stdexcept>

#include "automation/crypto/tokens.hpp"
#include "automation/crypto/werkzeug_hash.hpp"

namespace automation::crypto {

namespace {

std::string make_dummy_hash(const Argon2Hasher& argon2, PasswordFormat format) {
  // The password is random and discarded, so the dummy hash can never match anything
  // a client sends.
  const std::string password = SecureRandom{}.random_hex(32);
  auto hashed = format == PasswordFormat::kWerkzeugPbkdf2 ? make_werkzeug_pbkdf2_hash(password)
                                                         : argon2.hash(password);
  if (!hashed)
    throw std::runtime_error("cannot build the dummy password hash: " + hashed.error().message);
  return std::move(*hashed);
}

}  // namespace

DefaultPasswordHasher::DefaultPasswordHasher(Argon2Params params, PasswordFormat format)
    : argon2_(params), format_(format), dummy_hash_(make_dummy_hash(argon2_, format)) {}

Result<std::string> DefaultPasswordHasher::hash(std::string_view password) {
  if (format_ == PasswordFormat::kWerkzeugPbkdf2) return make_werkzeug_pbkdf2_hash(password);
  return argon2_.hash(password);
}

PasswordCheck DefaultPasswordHasher::verify(std::string_view password, std::string_view stored) {
  const bool werkzeug_format = format_ == PasswordFormat::kWerkzeugPbkdf2;
  if (Argon2Hasher::is_argon2id_hash(stored)) {
    if (!argon2_.verify(password, stored)) return {};
    // With the werkzeug format an Argon2id hash is rewritten so upstream can read it (the
    // way back from a trial of this service).
    return PasswordCheck{.matches = true,
                         .needs_rehash = werkzeug_format || argon2_.needs_rehash(stored)};
  }
  if (is_werkzeug_hash(stored)) {
    const bool matches = verify_werkzeug_hash(password, stored);
    return PasswordCheck{.matches = matches, .needs_rehash = matches && !werkzeug_format};
  }
  // Unsupported: burn the time of a real verification in the configured format; the result
  // is irrelevant.
  if (werkzeug_format) {
    static_cast<void>(verify_werkzeug_hash(password, dummy_hash_));
  } else {
    static_cast<void>(argon2_.verify(password, dummy_hash_));
  }
  return {};
}

}  // namespace automation::crypto
