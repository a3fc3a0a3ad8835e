#include "automation/core/base32.hpp"

#include <gtest/gtest.h>

namespace automation {
namespace {

// RFC 4648 section 10, without the padding.
TEST(Base32, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},          {"f", "MY"},           {"fo", "MZXQ"},         {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base32_encode(plain), encoded);
    EXPECT_EQ(base32_decode(encoded), plain);
  }
}

TEST(Base32, DecodingIgnoresCasePaddingAndSpaces) {
  EXPECT_EQ(base32_decode("mzxw6ytboi"), "foobar");
  EXPECT_EQ(base32_decode("MZXW 6YTB OI======"), "foobar");
}

TEST(Base32, DecodingRefusesOtherCharactersAndImpossibleLengths) {
  EXPECT_FALSE(base32_decode("MZXW1"));  // '1' is not in the alphabet
  EXPECT_FALSE(base32_decode("MZX-W6"));
  EXPECT_FALSE(base32_decode("M"));      // 1, 3 or 6 trailing symbols are never produced
  EXPECT_FALSE(base32_decode("MZX"));
  EXPECT_FALSE(base32_decode("MZXW6Y"));
}

TEST(Base32, BinaryRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  EXPECT_EQ(base32_decode(base32_encode(bytes)), bytes);
}

}  // namespace
}  // namespace automation
