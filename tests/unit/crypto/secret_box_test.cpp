#include "automation/crypto/secret_box.hpp"

#include <gtest/gtest.h>

#include <string>

namespace automation::crypto {
namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef-key-material";

TEST(SecretBox, OpensWhatItSealedForTheSameContext) {
  XChaChaSecretBox box(kKey);
  const std::string secret("\x01\x02secret bytes\x00\xff", 16);
  const std::string sealed = box.seal(secret, "user:42");
  auto opened = box.open(sealed, "user:42");
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, secret);
}

TEST(SecretBox, SealedTextHoldsNeitherTheSecretNorItsHexAndDiffersEveryTime) {
  XChaChaSecretBox box(kKey);
  const std::string secret = "JBSWY3DPEHPK3PXP-plain";
  const std::string first = box.seal(secret, "user:1");
  const std::string second = box.seal(secret, "user:1");
  EXPECT_NE(first, second) << "a fresh nonce per seal";
  EXPECT_TRUE(first.starts_with("v1:"));
  EXPECT_EQ(first.find(secret), std::string::npos);
  EXPECT_EQ(first.find("4a425357"), std::string::npos) << "not the secret's hex either";
}

TEST(SecretBox, AnotherContextAnotherKeyOrAnyChangeDoesNotOpen) {
  XChaChaSecretBox box(kKey);
  const std::string sealed = box.seal("secret", "user:1");
  EXPECT_EQ(box.open(sealed, "user:2").error().code, ErrorCode::kInternal)
      << "moved to another user's record";
  XChaChaSecretBox other(kKey + "x");
  EXPECT_FALSE(other.open(sealed, "user:1")) << "another key";
  for (std::size_t i = 3; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = altered[i] == '0' ? '1' : '0';
    EXPECT_FALSE(box.open(altered, "user:1")) << "one hex digit changed at " << i;
  }
  EXPECT_FALSE(box.open(sealed.substr(0, sealed.size() - 2), "user:1")) << "truncated";
  EXPECT_FALSE(box.open("v2:" + sealed.substr(3), "user:1")) << "unknown version";
  EXPECT_FALSE(box.open("v1:zz", "user:1")) << "not hex";
  EXPECT_FALSE(box.open("", "user:1"));
}

TEST(SecretBox, TheSameKeyMaterialGivesTheSameKey) {
  // Every node of a cluster derives its key from the shared material: one seals, another opens.
  XChaChaSecretBox first(kKey);
  XChaChaSecretBox second(kKey);
  auto opened = second.open(first.seal("shared", "user:7"), "user:7");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "shared");
}

}  // namespace
}  // namespace automation::crypto
