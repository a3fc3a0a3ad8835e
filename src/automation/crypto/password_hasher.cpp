#include "automation/crypto/password_hasher.hpp"

#include <stdexcept>

#include "automation/crypto/tokens.hpp"
#include "automation/crypto/werkzeug_hash.hpp"

namespace automation::crypto {

namespace {

std::string make_dummy_hash(const Argon2Hasher& argon2) {
  // The password is random and discarded, so the dummy hash can never match anything
  // a client sends.
  auto hashed = argon2.hash(SecureRandom{}.random_hex(32));
  if (!hashed)
    throw std::runtime_error("cannot build the dummy password hash: " + hashed.error().message);
  return std::move(*hashed);
}

}  // namespace

DefaultPasswordHasher::DefaultPasswordHasher(Argon2Params params)
    : argon2_(params), dummy_hash_(make_dummy_hash(argon2_)) {}

Result<std::string> DefaultPasswordHasher::hash(std::string_view password) {
  return argon2_.hash(password);
}

PasswordCheck DefaultPasswordHasher::verify(std::string_view password, std::string_view stored) {
  if (Argon2Hasher::is_argon2id_hash(stored)) {
    if (!argon2_.verify(password, stored)) return {};
    return PasswordCheck{.matches = true, .needs_rehash = argon2_.needs_rehash(stored)};
  }
  if (is_werkzeug_hash(stored)) {
    // Every werkzeug format is legacy: a match is always re-hashed with Argon2id.
    const bool matches = verify_werkzeug_hash(password, stored);
    return PasswordCheck{.matches = matches, .needs_rehash = matches};
  }
  // Unsupported: burn the time of a real verification; the result is irrelevant.
  static_cast<void>(argon2_.verify(password, dummy_hash_));
  return {};
}

}  // namespace automation::crypto
