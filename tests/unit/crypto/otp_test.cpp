#include "automation/crypto/otp.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace automation::crypto {
namespace {

// RFC 6238 Appendix B: the seeds are the ASCII digits 1234567890 repeated to the hash's size.
std::string seed(std::size_t bytes) {
  std::string key;
  while (key.size() < bytes) key += "1234567890";
  return key.substr(0, bytes);
}

struct Vector {
  std::int64_t time;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

constexpr Vector kAppendixB[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

TEST(Totp, Rfc6238AppendixBVectors) {
  for (const Vector& v : kAppendixB) {
    const auto step = static_cast<std::uint64_t>(v.time / 30);
    EXPECT_EQ(hotp_code(OtpHash::kSha1, seed(20), step, 8), v.sha1) << "T = " << v.time;
    EXPECT_EQ(hotp_code(OtpHash::kSha256, seed(32), step, 8), v.sha256) << "T = " << v.time;
    EXPECT_EQ(hotp_code(OtpHash::kSha512, seed(64), step, 8), v.sha512) << "T = " << v.time;
  }
}

// RFC 4226 Appendix D: HOTP of counters 0-9, 6 digits, the 20-byte seed.
TEST(Totp, Rfc4226AppendixDVectors) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  Sha1OtpGenerator generator;
  for (std::uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(generator.hotp(seed(20), counter, 6), expected[counter]) << counter;
  }
}

TEST(Totp, LeadingZerosAreKept) {
  // T = 1111111109 gives 07081804 with 8 digits: the 6-digit code is its last six.
  EXPECT_EQ(hotp_code(OtpHash::kSha1, seed(20), 1111111109 / 30, 6), "081804");
  EXPECT_EQ(hotp_code(OtpHash::kSha1, seed(20), 1111111109 / 30, 8).size(), 8u);
}

}  // namespace
}  // namespace automation::crypto
