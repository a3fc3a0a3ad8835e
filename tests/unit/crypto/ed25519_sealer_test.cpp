// Ed25519 sealing against RFC 8032's first test vector (section 7.1, TEST 1), the key file
// forms (PEM PKCS#8 and a hex seed), and refusals of anything else.

#include "automation/crypto/ed25519_sealer.hpp"

#include <gtest/gtest.h>

namespace automation::crypto {
namespace {

// RFC 8032 7.1 TEST 1: the secret key (seed), its public key and the signature of "".
constexpr const char* kSeedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr const char* kPublicKeyBase64 = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
constexpr const char* kEmptyMessageSignature =
    "5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw==";
// The same seed as `openssl genpkey -algorithm ed25519` writes a key (PKCS#8).
constexpr const char* kSeedPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";

TEST(Ed25519Sealer, MatchesRfc8032TestVector1) {
  auto sealer = Ed25519Sealer::from_key_text(kSeedHex);
  ASSERT_TRUE(sealer) << sealer.error().message;
  EXPECT_EQ((*sealer)->public_key().public_key, kPublicKeyBase64);
  EXPECT_EQ((*sealer)->public_key().algorithm, "Ed25519");
  // The first 8 bytes of SHA-256 of the raw public key.
  EXPECT_EQ((*sealer)->public_key().key_id, "21fe31dfa154a261");
  EXPECT_EQ((*sealer)->seal(""), kEmptyMessageSignature);
}

TEST(Ed25519Sealer, APemKeyIsTheSameKey) {
  // Built by appending: g++ 12 at -O2 warns falsely (-Warray-bounds) about string + "\n".
  std::string text(kSeedPem);
  text += '\n';
  auto sealer = Ed25519Sealer::from_key_text(text);
  ASSERT_TRUE(sealer) << sealer.error().message;
  EXPECT_EQ((*sealer)->public_key().public_key, kPublicKeyBase64);
}

TEST(Ed25519Sealer, TheCheckerAcceptsOnlyTheSealOfTheSameMessage) {
  auto sealer = Ed25519Sealer::from_key_text(kSeedHex);
  ASSERT_TRUE(sealer);
  const Ed25519SealChecker checker;
  const std::string seal = (*sealer)->seal("automation-signature-v1\n1:a\n");
  const SigningPublicKey& key = (*sealer)->public_key();
  EXPECT_TRUE(checker.check(key, "automation-signature-v1\n1:a\n", seal));
  EXPECT_FALSE(checker.check(key, "automation-signature-v1\n1:b\n", seal));
  std::string flipped = seal;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(checker.check(key, "automation-signature-v1\n1:a\n", flipped));
  EXPECT_FALSE(checker.check(key, "automation-signature-v1\n1:a\n", "not base64!"));
  SigningPublicKey other = key;
  other.algorithm = "RSA";
  EXPECT_FALSE(checker.check(other, "automation-signature-v1\n1:a\n", seal));
  other = key;
  other.public_key = "AAAA";
  EXPECT_FALSE(checker.check(other, "automation-signature-v1\n1:a\n", seal));
}

TEST(Ed25519Sealer, RefusesWhatIsNotAnEd25519Key) {
  for (const char* text :
       {"", "too-short", "zz61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"}) {
    auto sealer = Ed25519Sealer::from_key_text(text);
    ASSERT_FALSE(sealer) << text;
    EXPECT_EQ(sealer.error().code, ErrorCode::kInvalidArgument);
    if (*text != '\0') {
      EXPECT_EQ(sealer.error().message.find(text), std::string::npos) << "never quoted";
    }
  }
}

TEST(Ed25519Sealer, ThePemOfThePublicKeyIsRfc8410) {
  EXPECT_EQ(ed25519_public_key_pem(kPublicKeyBase64),
            "-----BEGIN PUBLIC KEY-----\n"
            "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
            "-----END PUBLIC KEY-----\n");
  EXPECT_EQ(ed25519_public_key_pem("AAAA"), "");
}

}  // namespace
}  // namespace automation::crypto
