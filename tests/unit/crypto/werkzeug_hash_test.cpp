#include "automation/crypto/werkzeug_hash.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "werkzeug_vectors.hpp"

namespace automation::crypto {
namespace {

using testing_support::load_werkzeug_vectors;
using testing_support::WerkzeugVector;

const std::string kHex64(64, 'a');

// ---- the shared vectors (tests/testdata/werkzeug_hashes.json) ----

class WerkzeugHashVectors : public ::testing::TestWithParam<WerkzeugVector> {};

TEST_P(WerkzeugHashVectors, VerifyAgreesWithWerkzeug) {
  const auto& v = GetParam();
  SCOPED_TRACE(v.note);
  EXPECT_EQ(verify_werkzeug_hash(v.password, v.hash), v.expect);
}

INSTANTIATE_TEST_SUITE_P(Testdata, WerkzeugHashVectors,
                         ::testing::ValuesIn(load_werkzeug_vectors()),
                         testing_support::werkzeug_vector_name);

TEST(WerkzeugHash, VectorFileHasAll47Entries) {
  const auto vectors = load_werkzeug_vectors();
  ASSERT_EQ(vectors.size(), 47U) << testing_support::werkzeug_vectors_path();
  const auto matches = std::count_if(vectors.begin(), vectors.end(),
                                     [](const WerkzeugVector& v) { return v.expect; });
  EXPECT_EQ(matches, 32);
}

// ---- extra vectors, made with werkzeug 3.1.8 (_hash_internal + check_password_hash) ----

TEST(WerkzeugHash, BareMethodsUseWerkzeug31Defaults) {
  // pbkdf2:sha256 and pbkdf2 -> 1,000,000 iterations; scrypt -> 32768:8:1.
  EXPECT_TRUE(
      verify_werkzeug_hash("legacy default",
                           "pbkdf2:sha256$BareIterSalt$"
                           "764c900b43c3fefd48e175fd6ec7be5849c0eada19c02dd34e9966604df2b57d"));
  EXPECT_TRUE(verify_werkzeug_hash(
      "legacy default",
      "pbkdf2$BareMethodSalt$2ca4894917dfb77cb06e9fbf8d268d33a823d70b21ff6a71de378f6bd1b642b3"));
  EXPECT_TRUE(verify_werkzeug_hash(
      "legacy default",
      "scrypt$BareScryptSalt$37afd853b53e3f4f1874cc3d3622cede81f50cfda0994e1028ec0ce1b2be89be686642"
      "d60776ecd298b98209cedd0daaa980a64bd4665191bc69d27ba63b2099"));
}

TEST(WerkzeugHash, PasswordIsRawBytesIncludingNul) {
  const std::string stored =
      "pbkdf2:sha256:1000$NulSalt$5d2929e92a5c5be2ac5bd218b321bad57384bccfa2501be048687daf93c9aac9";
  EXPECT_TRUE(verify_werkzeug_hash(std::string("pass\0word", 9), stored));
  EXPECT_FALSE(verify_werkzeug_hash("pass", stored));
}

TEST(WerkzeugHash, NullStringViewIsTheEmptyPassword) {
  // Vector #1 of the testdata: the empty password, pbkdf2:sha256:1000.
  EXPECT_TRUE(
      verify_werkzeug_hash(std::string_view{},
                           "pbkdf2:sha256:1000$YNZeKFGGLTbYpl9n$"
                           "d70adeb012aeaf67e46f3c029bf23de884f415ecf1b4407e786c069bc12daa48"));
  EXPECT_FALSE(verify_werkzeug_hash(std::string_view{}, std::string_view{}));
}

TEST(WerkzeugHash, EmptySaltAndLeadingZeroIterations) {
  EXPECT_TRUE(verify_werkzeug_hash(
      "empty salt",
      "pbkdf2:sha256:1000$$70083589dd6f9db23806f0ad53674d24541c12a307d987df7f23b806ee8874a9"));
  // Python's int("01000") is 1000, and werkzeug accepts the hash as written.
  EXPECT_TRUE(
      verify_werkzeug_hash("zeros",
                           "pbkdf2:sha256:01000$ZeroSalt$"
                           "ad88023b7caefe5bcb542c328127d39d27d6730d1fff73cf3e6957eb1f82650c"));
  EXPECT_TRUE(verify_werkzeug_hash("password", "sha1$$5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"));
}

TEST(WerkzeugHash, CheapScryptParameters) {
  const std::string stored =
      "scrypt:1024:1:1$tiny$e5dae927404ba0f3c31216a48007baf418d77d0262a9083044a0c5b96c464241555b2d"
      "d15a2f2d539aa5c09d01ebb775d03c47bfc1e19d29fedc39714722c089";
  EXPECT_TRUE(verify_werkzeug_hash("x", stored));
  EXPECT_FALSE(verify_werkzeug_hash("y", stored));
}

TEST(WerkzeugHash, TinyScryptThatWerkzeugCannotComputeNeverMatches) {
  // werkzeug's maxmem = 132*N*r*p is too small for N = 2 or 16 (hashlib raises ValueError),
  // so no such hash can exist; the format is valid, the verification simply fails.
  const std::string digest(128, '0');
  EXPECT_TRUE(is_werkzeug_hash("scrypt:2:1:1$s$" + digest));
  EXPECT_FALSE(verify_werkzeug_hash("x", "scrypt:2:1:1$s$" + digest));
}

// ---- rejected formats ----

TEST(WerkzeugHash, PlainMethodIsRejected) {
  EXPECT_FALSE(is_werkzeug_hash("plain$$password"));
  EXPECT_FALSE(verify_werkzeug_hash("password", "plain$$password"));
  EXPECT_FALSE(verify_werkzeug_hash("password", "plain$salt$password"));
}

TEST(WerkzeugHash, MalformedStringsNeverMatch) {
  const std::string cases[] = {
      "",
      "$",
      "$$",
      "pbkdf2:sha256:1000",
      "pbkdf2:sha256:1000$salt",
      "pbkdf2:sha256:1000$salt$",
      "pbkdf2:sha256:1000$salt$" + kHex64 + "$",
      "pbkdf2:sha256:1000$salt$" + kHex64.substr(1),
      "pbkdf2:sha256:1000$salt$" + std::string(63, 'a') + "g",
      "pbkdf2:sha256:1000$salt$" + std::string(64, 'A'),
      "pbkdf2:sha256:abc$salt$" + kHex64,
      "pbkdf2:sha256:+1000$salt$" + kHex64,
      "pbkdf2:sha256: 1000$salt$" + kHex64,
      "pbkdf2:sha256:-1$salt$" + kHex64,
      "pbkdf2:sha256:$salt$" + kHex64,
      "pbkdf2:$salt$" + kHex64,
      "pbkdf2:md5:1000$salt$" + std::string(32, 'a'),
      "pbkdf2:SHA256:1000$salt$" + kHex64,
      "PBKDF2:sha256:1000$salt$" + kHex64,
      "pbkdf2:sha256:1000:7$salt$" + kHex64,
      "scrypt:32768:8$salt$" + std::string(128, 'a'),
      "scrypt:32768:8:1:1$salt$" + std::string(128, 'a'),
      "scrypt:32768:8:1$salt$" + kHex64,
      "sha256:1000$salt$" + kHex64,
      "sha512$salt$" + std::string(128, 'a'),
      "md5$salt$" + std::string(32, 'a'),
      "argon2$salt$" + kHex64,
  };
  for (const auto& stored : cases) {
    SCOPED_TRACE(stored);
    EXPECT_FALSE(is_werkzeug_hash(stored));
    EXPECT_FALSE(verify_werkzeug_hash("password", stored));
  }
}

// ---- caps against hostile hashes: rejected by the parser, before any derivation ----

TEST(WerkzeugHash, AbsurdPbkdf2IterationsRejectedWithoutDeriving) {
  EXPECT_TRUE(is_werkzeug_hash("pbkdf2:sha256:10000000$salt$" + kHex64));  // the cap itself
  for (const std::string count :
       {"10000001", "4000000000", "18446744073709551616", "99999999999999999999999999", "0"}) {
    const std::string stored = "pbkdf2:sha256:" + count + "$salt$" + kHex64;
    SCOPED_TRACE(stored);
    EXPECT_FALSE(is_werkzeug_hash(stored));
    EXPECT_FALSE(verify_werkzeug_hash("password", stored));
  }
}

TEST(WerkzeugHash, AbsurdScryptParametersRejectedWithoutDeriving) {
  const std::string digest(128, 'a');
  // 128 * N * r * p = 1 GiB exactly is the cap.
  EXPECT_TRUE(is_werkzeug_hash("scrypt:1048576:8:1$salt$" + digest));
  for (const std::string params :
       {"2097152:8:1", "1048576:8:2", "1048576:16:1", "4294967296:8:1", "32768:33:1", "32768:8:17",
        "32768:0:1", "32768:8:0", "32767:8:1", "3:1:1", "1:1:1", "0:8:1", "65536:32:16"}) {
    const std::string stored = "scrypt:" + params + "$salt$" + digest;
    SCOPED_TRACE(stored);
    EXPECT_FALSE(is_werkzeug_hash(stored));
    EXPECT_FALSE(verify_werkzeug_hash("password", stored));
  }
}

TEST(WerkzeugHash, SaltLongerThan1024BytesRejected) {
  EXPECT_TRUE(is_werkzeug_hash("pbkdf2:sha256:1$" + std::string(1024, 'S') + "$" + kHex64));
  EXPECT_FALSE(is_werkzeug_hash("pbkdf2:sha256:1$" + std::string(1025, 'S') + "$" + kHex64));
}

// ---- timing (printed, never asserted) ----

TEST(WerkzeugHash, PrintsScryptDefaultVerificationTime) {
  const auto vectors = load_werkzeug_vectors();
  const auto it = std::find_if(vectors.begin(), vectors.end(), [](const WerkzeugVector& v) {
    return v.expect && v.method == "scrypt:32768:8:1";
  });
  ASSERT_NE(it, vectors.end());
  std::vector<double> ms;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(verify_werkzeug_hash(it->password, it->hash));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "[ timing   ] werkzeug scrypt:32768:8:1 verify: median " << ms[1] << " ms (min "
            << ms[0] << ", max " << ms[2] << ")\n";
}

}  // namespace
}  // namespace automation::crypto
