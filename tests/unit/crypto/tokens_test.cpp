#include "automation/crypto/tokens.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace automation::crypto {
namespace {

bool all_lower_hex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(SecureRandom, HexHasTwoCharactersPerByte) {
  SecureRandom random;
  for (const std::size_t n : {0U, 1U, 8U, 16U, 32U, 1000U}) {
    const std::string hex = random.random_hex(n);
    EXPECT_EQ(hex.size(), 2 * n);
    EXPECT_TRUE(all_lower_hex(hex)) << hex;
  }
}

TEST(SecureRandom, ValuesAreUnique) {
  SecureRandom random;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random.random_hex(32));
  EXPECT_EQ(seen.size(), 1000U);
}

TEST(SecureRandom, UsesEveryHexDigit) {
  // 4000 random nibbles: missing one of the 16 digits has probability ~16*(15/16)^4000.
  const std::string hex = SecureRandom{}.random_hex(2000);
  for (const char c : std::string("0123456789abcdef")) {
    EXPECT_NE(hex.find(c), std::string::npos) << c;
  }
}

TEST(Sha256Digester, KnownAnswers) {
  Sha256Digester digester;
  EXPECT_EQ(digester.digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digester.digest(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digester.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Digester, NullStringViewIsEmptyInput) {
  EXPECT_EQ(Sha256Digester{}.digest(std::string_view{}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(constant_time_equal(std::string_view{}, ""));
}

TEST(Sha256Digester, HashesRawBytesIncludingNul) {
  Sha256Digester digester;
  EXPECT_NE(digester.digest(std::string("a\0b", 3)), digester.digest("a"));
  EXPECT_EQ(digester.digest(std::string("a\0b", 3)).size(), 64U);
}

TEST(ConstantTimeEqual, ComparesContentsAndLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "Abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace automation::crypto
