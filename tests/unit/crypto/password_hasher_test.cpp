#include "automation/crypto/password_hasher.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "werkzeug_vectors.hpp"

namespace automation::crypto {
namespace {

using testing_support::load_werkzeug_vectors;
using testing_support::WerkzeugVector;

constexpr Argon2Params kCheapParams{.memory_kib = 8, .iterations = 1};

// One hasher for the parameterized suite: construction hashes the dummy password.
DefaultPasswordHasher& cheap_hasher() {
  static DefaultPasswordHasher hasher(kCheapParams);
  return hasher;
}

class DefaultPasswordHasherVectors : public ::testing::TestWithParam<WerkzeugVector> {};

TEST_P(DefaultPasswordHasherVectors, VerifyAgreesWithWerkzeug) {
  const auto& v = GetParam();
  SCOPED_TRACE(v.note);
  const PasswordCheck check = cheap_hasher().verify(v.password, v.hash);
  EXPECT_EQ(check.matches, v.expect);
  // Every werkzeug format is legacy: a match always asks for an Argon2id re-hash.
  EXPECT_EQ(check.needs_rehash, v.expect);
}

INSTANTIATE_TEST_SUITE_P(Testdata, DefaultPasswordHasherVectors,
                         ::testing::ValuesIn(load_werkzeug_vectors()),
                         testing_support::werkzeug_vector_name);

TEST(DefaultPasswordHasher, HashIsArgon2idAndVerifiesWithoutRehash) {
  auto& hasher = cheap_hasher();
  const auto hashed = hasher.hash("new password");
  ASSERT_TRUE(hashed.has_value()) << hashed.error().message;
  EXPECT_TRUE(hashed->starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
  const PasswordCheck ok = hasher.verify("new password", *hashed);
  EXPECT_TRUE(ok.matches);
  EXPECT_FALSE(ok.needs_rehash);
  const PasswordCheck wrong = hasher.verify("old password", *hashed);
  EXPECT_FALSE(wrong.matches);
  EXPECT_FALSE(wrong.needs_rehash);
}

TEST(DefaultPasswordHasher, WeakerArgon2ParamsNeedRehash) {
  DefaultPasswordHasher weak(kCheapParams);
  DefaultPasswordHasher current({.memory_kib = 32, .iterations = 2});
  const auto old_hash = weak.hash("pw").value();
  const PasswordCheck check = current.verify("pw", old_hash);
  EXPECT_TRUE(check.matches);
  EXPECT_TRUE(check.needs_rehash);
  EXPECT_FALSE(current.verify("pw", current.hash("pw").value()).needs_rehash);
}

TEST(DefaultPasswordHasher, UnsupportedStoredValuesNeverMatch) {
  auto& hasher = cheap_hasher();
  for (const std::string stored :
       {"", "plain$$pw", "plain$salt$pw", "pw", "$argon2i$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
        "$argon2id$garbage", "bcrypt$x$y", "$2b$12$abcdefghijklmnopqrstuu"}) {
    SCOPED_TRACE(stored);
    const PasswordCheck check = hasher.verify("pw", stored);
    EXPECT_FALSE(check.matches);
    EXPECT_FALSE(check.needs_rehash);
  }
}

TEST(DefaultPasswordHasher, DummyHashIsCurrentArgon2idAndMatchesNothing) {
  auto& hasher = cheap_hasher();
  const std::string& dummy = hasher.dummy_hash();
  EXPECT_TRUE(dummy.starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << dummy;
  EXPECT_EQ(&dummy, &hasher.dummy_hash());  // made once, stable
  for (const std::string& guess : std::vector<std::string>{"", "password", "dummy", dummy}) {
    EXPECT_FALSE(hasher.verify(guess, dummy).matches);
  }
}

TEST(DefaultPasswordHasher, InvalidParamsThrowAtConstruction) {
  EXPECT_THROW(DefaultPasswordHasher({.memory_kib = 0, .iterations = 1}), std::invalid_argument);
}

}  // namespace
}  // namespace automation::crypto

namespace automation::crypto {
namespace {

// AUTOMATION_PASSWORD_FORMAT=werkzeug: new hashes in werkzeug's pbkdf2:sha256 format (upstream
// PyAutomation verifies them; the integration test checks that with werkzeug itself),
// existing werkzeug hashes kept, Argon2id ones rewritten at the next login.
TEST(DefaultPasswordHasher, WerkzeugFormatWritesPbkdf2AndKeepsWerkzeugHashes) {
  DefaultPasswordHasher werkzeug(kCheapParams, PasswordFormat::kWerkzeugPbkdf2);
  const auto hashed = werkzeug.hash("new password");
  ASSERT_TRUE(hashed) << hashed.error().message;
  ASSERT_TRUE(hashed->starts_with("pbkdf2:sha256:600000$")) << *hashed;
  const auto salt_end = hashed->find('$', 21);
  EXPECT_EQ(salt_end - 21, 16u) << *hashed;  // werkzeug's gen_salt(16)
  EXPECT_EQ(hashed->size() - salt_end - 1, 64u);
  EXPECT_NE(werkzeug.hash("new password").value(), *hashed);  // a fresh salt each time
  const PasswordCheck ok = werkzeug.verify("new password", *hashed);
  EXPECT_TRUE(ok.matches);
  EXPECT_FALSE(ok.needs_rehash);
  EXPECT_FALSE(werkzeug.verify("other password", *hashed).matches);

  const std::string argon2 = cheap_hasher().hash("pw").value();
  const PasswordCheck from_argon2 = werkzeug.verify("pw", argon2);
  EXPECT_TRUE(from_argon2.matches);
  EXPECT_TRUE(from_argon2.needs_rehash);  // rewritten so upstream can read it
  // And back: the default format upgrades the werkzeug hash.
  EXPECT_TRUE(cheap_hasher().verify("new password", *hashed).needs_rehash);
  EXPECT_TRUE(werkzeug.dummy_hash().starts_with("pbkdf2:sha256:600000$"));
  EXPECT_FALSE(werkzeug.verify("", "").matches);
}

}  // namespace
}  // namespace automation::crypto
