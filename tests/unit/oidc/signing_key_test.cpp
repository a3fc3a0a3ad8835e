#include "automation/oidc/signing_key.hpp"

#include <gtest/gtest.h>

#include "automation/oidc/base64url.hpp"
#include "oidc_test_keys.hpp"

namespace automation::oidc {
namespace {

using testing::ec_key;
using testing::foreign_key_pem;
using testing::rsa_key;

TEST(Base64Url, RoundTripsAndRefusesNonCanonicalText) {
  for (const std::string bytes : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe"}) {
    const std::string encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    EXPECT_EQ(base64url_decode(encoded), bytes);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("Zm9v=").has_value());   // padding
  EXPECT_FALSE(base64url_decode("Zm+v").has_value());    // base64, not base64url
  EXPECT_FALSE(base64url_decode("Z").has_value());       // 1 mod 4
  EXPECT_FALSE(base64url_decode("Zh").has_value());      // stray bits: "Zg" is canonical
  EXPECT_TRUE(base64url_decode("Zg").has_value());
}

// RFC 7638 §3.1: the example RSA key and its thumbprint.
TEST(JwkThumbprint, MatchesTheRfc7638Example) {
  const auto jwk = nlohmann::json::parse(R"({
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29"})");
  EXPECT_EQ(jwk_thumbprint(jwk), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EXPECT_FALSE(jwk_thumbprint(nlohmann::json{{"kty", "oct"}, {"k", "c2VjcmV0"}}).has_value());
  EXPECT_FALSE(jwk_thumbprint(nlohmann::json{{"kty", "RSA"}, {"n", "AQAB"}}).has_value());
}

TEST(OidcSigningKey, PublishesRsaAndEcPublicJwksNamedByTheirThumbprint) {
  const nlohmann::json& rsa = rsa_key()->public_jwk();
  EXPECT_EQ(rsa.at("kty"), "RSA");
  EXPECT_EQ(rsa.at("alg"), "RS256");
  EXPECT_EQ(rsa.at("use"), "sig");
  EXPECT_EQ(rsa.at("e"), "AQAB");
  EXPECT_EQ(base64url_decode(rsa.at("n").get<std::string>())->size(), 256u);  // 2048 bits
  EXPECT_EQ(rsa.at("kid"), rsa_key()->kid());
  EXPECT_EQ(jwk_thumbprint(rsa), rsa_key()->kid());
  EXPECT_FALSE(rsa.contains("d"));  // never the private part

  const nlohmann::json& ec = ec_key()->public_jwk();
  EXPECT_EQ(ec.at("kty"), "EC");
  EXPECT_EQ(ec.at("crv"), "P-256");
  EXPECT_EQ(ec.at("alg"), "ES256");
  EXPECT_EQ(base64url_decode(ec.at("x").get<std::string>())->size(), 32u);
  EXPECT_EQ(base64url_decode(ec.at("y").get<std::string>())->size(), 32u);
  EXPECT_EQ(jwk_thumbprint(ec), ec_key()->kid());
  EXPECT_FALSE(ec.contains("d"));
  EXPECT_NE(rsa_key()->kid(), ec_key()->kid());
}

TEST(OidcSigningKey, PemRoundTripKeepsTheKey) {
  for (const auto& key : {rsa_key(), ec_key()}) {
    auto pem = key->private_pem();
    ASSERT_TRUE(pem.has_value());
    EXPECT_TRUE(pem->starts_with("-----BEGIN PRIVATE KEY-----"));
    auto read = OidcSigningKey::from_pem(*pem);
    ASSERT_TRUE(read.has_value()) << read.error().message;
    EXPECT_EQ(read->algorithm(), key->algorithm());
    EXPECT_EQ(read->kid(), key->kid());
    // Signed by one, verified by the other.
    auto signature = read->sign("payload");
    ASSERT_TRUE(signature.has_value());
    EXPECT_TRUE(key->verify("payload", *signature));
  }
}

TEST(OidcSigningKey, Es256SignaturesAreRawRAndSNotDer) {
  auto signature = ec_key()->sign("header.payload");
  ASSERT_TRUE(signature.has_value());
  EXPECT_EQ(signature->size(), 64u);
  EXPECT_TRUE(ec_key()->verify("header.payload", *signature));
  EXPECT_FALSE(ec_key()->verify("header.payloaD", *signature));
  std::string flipped = *signature;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  EXPECT_FALSE(ec_key()->verify("header.payload", flipped));
  EXPECT_FALSE(ec_key()->verify("header.payload", signature->substr(0, 63)));

  auto rsa_signature = rsa_key()->sign("header.payload");
  ASSERT_TRUE(rsa_signature.has_value());
  EXPECT_EQ(rsa_signature->size(), 256u);
  EXPECT_TRUE(rsa_key()->verify("header.payload", *rsa_signature));
  EXPECT_FALSE(rsa_key()->verify("header.payload", *signature));
  EXPECT_FALSE(ec_key()->verify("header.payload", *rsa_signature));
}

TEST(OidcSigningKey, RefusesKeysOfOtherKinds) {
  const std::pair<std::string, std::string> refused[] = {
      {"RSA 1024", foreign_key_pem("RSA", nullptr, 1024)},
      {"EC P-384", foreign_key_pem("EC", "P-384")},
      {"Ed25519", foreign_key_pem("ED25519", nullptr)},
      {"not PEM", "this is not a key"},
      {"empty", ""},
  };
  for (const auto& [name, pem] : refused) {
    auto key = OidcSigningKey::from_pem(pem);
    ASSERT_FALSE(key.has_value()) << name;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument) << name;
  }
  // A larger RSA key is fine (RS256 needs at least 2048 bits).
  auto big = OidcSigningKey::from_pem(foreign_key_pem("RSA", nullptr, 3072));
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->algorithm(), JwsAlgorithm::kRs256);
}

TEST(JwsAlgorithm, OnlyTheTwoNamesExactly) {
  EXPECT_EQ(jws_algorithm_named("RS256"), JwsAlgorithm::kRs256);
  EXPECT_EQ(jws_algorithm_named("ES256"), JwsAlgorithm::kEs256);
  for (const char* other : {"none", "HS256", "rs256", "PS256", "RS512", ""}) {
    EXPECT_FALSE(jws_algorithm_named(other).has_value()) << other;
  }
}

}  // namespace
}  // namespace automation::oidc
