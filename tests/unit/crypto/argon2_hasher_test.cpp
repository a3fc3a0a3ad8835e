#include "automation/crypto/argon2_hasher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace automation::crypto {
namespace {

// libsodium's minimum (8 KiB, 1 pass): fast enough to hash in every test.
constexpr Argon2Params kCheap{.memory_kib = 8, .iterations = 1};
constexpr Argon2Params kLessCheap{.memory_kib = 16, .iterations = 2};

TEST(Argon2Hasher, RoundTripWithCheapParams) {
  const Argon2Hasher hasher(kCheap);
  const auto hashed = hasher.hash("correct horse battery staple");
  ASSERT_TRUE(hashed.has_value()) << hashed.error().message;
  EXPECT_TRUE(hashed->starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << *hashed;
  EXPECT_TRUE(Argon2Hasher::is_argon2id_hash(*hashed));
  EXPECT_TRUE(hasher.verify("correct horse battery staple", *hashed));
  EXPECT_FALSE(hasher.needs_rehash(*hashed));
}

TEST(Argon2Hasher, WrongPasswordDoesNotMatch) {
  const Argon2Hasher hasher(kCheap);
  const auto hashed = hasher.hash("secret-password");
  ASSERT_TRUE(hashed.has_value());
  EXPECT_FALSE(hasher.verify("secret-passwore", *hashed));
  EXPECT_FALSE(hasher.verify("", *hashed));
  EXPECT_FALSE(hasher.verify(std::string("secret-password\0", 16), *hashed));
}

TEST(Argon2Hasher, EmptyAndNonAsciiPasswords) {
  const Argon2Hasher hasher(kCheap);
  for (const std::string& password :
       std::vector<std::string>{"", "contraseña 🔑 密码", std::string(1024, 'x')}) {
    const auto hashed = hasher.hash(password);
    ASSERT_TRUE(hashed.has_value());
    EXPECT_TRUE(hasher.verify(password, *hashed));
  }
}

TEST(Argon2Hasher, NullStringViewIsTheEmptyPassword) {
  const Argon2Hasher hasher(kCheap);
  const auto hashed = hasher.hash(std::string_view{});
  ASSERT_TRUE(hashed.has_value());
  EXPECT_TRUE(hasher.verify("", *hashed));
  EXPECT_TRUE(hasher.verify(std::string_view{}, *hashed));
  EXPECT_FALSE(hasher.verify(std::string_view{}, std::string_view{}));
}

TEST(Argon2Hasher, SaltIsRandom) {
  const Argon2Hasher hasher(kCheap);
  EXPECT_NE(hasher.hash("same").value(), hasher.hash("same").value());
}

TEST(Argon2Hasher, NeedsRehashWhenParamsDiffer) {
  const Argon2Hasher weak(kCheap);
  const Argon2Hasher current(kLessCheap);
  const auto weak_hash = weak.hash("pw").value();
  const auto current_hash = current.hash("pw").value();
  EXPECT_TRUE(current.verify("pw", weak_hash));  // still verifies with its own params
  EXPECT_TRUE(current.needs_rehash(weak_hash));
  EXPECT_FALSE(current.needs_rehash(current_hash));
  // Stronger than configured is also "not current" (the configuration is the truth).
  EXPECT_TRUE(weak.needs_rehash(current_hash));
}

TEST(Argon2Hasher, RejectsOtherAlgorithmsAndMalformedStrings) {
  const Argon2Hasher hasher(kCheap);
  const auto hashed = hasher.hash("pw").value();
  const std::string argon2i = "$argon2i$" + hashed.substr(std::string("$argon2id$").size());
  const std::string cases[] = {
      "",
      "$argon2id$",
      argon2i,
      hashed.substr(0, hashed.size() - 1),
      hashed + "A",
      "$argon2id$v=19$m=8,t=1,p=2" + hashed.substr(hashed.find("p=1") + 3),
      std::string(hashed).insert(5, 1, '\0'),
      "plain$$pw",
  };
  for (const auto& stored : cases) {
    SCOPED_TRACE(stored);
    EXPECT_FALSE(hasher.verify("pw", stored));
  }
}

TEST(Argon2Hasher, HostileCostsRejectedWithoutHashing) {
  // Parameters above the ceiling would allocate 4 GiB / run 2^32 passes if passed on.
  const Argon2Hasher hasher(kCheap);
  const std::string tail = "$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
  const std::string huge_memory = "$argon2id$v=19$m=4194304,t=1,p=1" + tail;
  const std::string huge_time = "$argon2id$v=19$m=8,t=4294967295,p=1" + tail;
  const std::string overflow = "$argon2id$v=19$m=99999999999999999999,t=1,p=1" + tail;
  for (const auto& stored : {huge_memory, huge_time, overflow}) {
    SCOPED_TRACE(stored);
    EXPECT_FALSE(Argon2Hasher::is_argon2id_hash(stored));
    EXPECT_FALSE(hasher.verify("pw", stored));
  }
  EXPECT_TRUE(Argon2Hasher::is_argon2id_hash("$argon2id$v=19$m=1048576,t=64,p=1" + tail));
}

TEST(Argon2Hasher, ValidateBoundsParams) {
  EXPECT_TRUE(Argon2Hasher::validate({}).has_value());
  EXPECT_TRUE(Argon2Hasher::validate(kCheap).has_value());
  const auto too_little = Argon2Hasher::validate({.memory_kib = 7, .iterations = 1});
  ASSERT_FALSE(too_little.has_value());
  EXPECT_EQ(too_little.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(too_little.error().fields.contains("memory_kib"));
  const auto no_passes = Argon2Hasher::validate({.memory_kib = 8, .iterations = 0});
  ASSERT_FALSE(no_passes.has_value());
  EXPECT_TRUE(no_passes.error().fields.contains("iterations"));
  EXPECT_FALSE(Argon2Hasher::validate({.memory_kib = 2 * 1024 * 1024, .iterations = 2}));
  EXPECT_THROW(Argon2Hasher({.memory_kib = 1, .iterations = 1}), std::invalid_argument);
}

// The one test with the production parameters (m = 19 MiB, t = 2); prints the time.
TEST(Argon2Hasher, DefaultParamsRoundTripAndTiming) {
  const Argon2Hasher hasher;
  EXPECT_EQ(hasher.params().memory_kib, 19456U);
  EXPECT_EQ(hasher.params().iterations, 2U);
  const auto start = std::chrono::steady_clock::now();
  const auto hashed = hasher.hash("production-strength password");
  const auto hash_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(hashed.has_value()) << hashed.error().message;
  EXPECT_TRUE(hashed->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hashed;
  const auto verify_start = std::chrono::steady_clock::now();
  EXPECT_TRUE(hasher.verify("production-strength password", *hashed));
  const auto verify_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - verify_start)
          .count();
  EXPECT_FALSE(hasher.needs_rehash(*hashed));
  std::cout << "[ timing   ] argon2id m=19456 KiB t=2 p=1: hash " << hash_ms << " ms, verify "
            << verify_ms << " ms\n";
}

}  // namespace
}  // namespace automation::crypto
