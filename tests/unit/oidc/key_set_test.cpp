#include "automation/oidc/key_set.hpp"

#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include "automation/oidc/base64url.hpp"
#include "oidc_test_keys.hpp"

namespace automation::oidc {
namespace {

using testing::ec_key;
using testing::key_set_of;
using testing::rsa_key;
using testing::shared_generated;

const nlohmann::json kClaims = {{"sub", "42"}, {"aud", "grafana"}, {"exp", 2000000000}};

// "header.payload.signature" split into its parts.
std::vector<std::string> parts_of(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto dot = token.find('.', start);
    parts.push_back(token.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

std::string encode_json(const nlohmann::json& value) { return base64url_encode(value.dump()); }

std::string hs256(std::string_view secret, std::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
  return std::string(reinterpret_cast<const char*>(mac), size);
}

void expect_refused(const OidcKeySet& keys, const std::string& token, const char* why) {
  auto verified = keys.verify(token);
  ASSERT_FALSE(verified.has_value()) << why;
  EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated) << why;
  EXPECT_EQ(verified.error().message, "invalid token") << why;  // generic, whatever the cause
}

class OidcKeySetTest : public ::testing::Test {
 protected:
  OidcKeySet keys = key_set_of({rsa_key(), ec_key()});
};

TEST_F(OidcKeySetTest, BothAlgorithmsRoundTrip) {
  for (const char* alg : {"RS256", "ES256"}) {
    auto token = keys.sign(kClaims, "JWT", alg);
    ASSERT_TRUE(token.has_value()) << alg;
    const auto parts = parts_of(*token);
    ASSERT_EQ(parts.size(), 3u);
    const auto header = nlohmann::json::parse(*base64url_decode(parts[0]));
    EXPECT_EQ(header, (nlohmann::json{{"alg", alg}, {"typ", "JWT"}, {"kid", keys.current_kid(alg)}}));
    auto payload = keys.verify(*token);
    ASSERT_TRUE(payload.has_value()) << alg << ": " << payload.error().message;
    EXPECT_EQ(*payload, kClaims);
  }
  EXPECT_EQ(keys.current_kid("RS256"), rsa_key()->kid());
  EXPECT_EQ(keys.current_kid("ES256"), ec_key()->kid());
  auto typed = keys.sign(kClaims, "at+jwt");
  ASSERT_TRUE(typed.has_value());
  EXPECT_EQ(nlohmann::json::parse(*base64url_decode(parts_of(*typed)[0])).at("typ"), "at+jwt");
}

TEST_F(OidcKeySetTest, SignRefusesOtherAlgorithmsAndNonObjects) {
  for (const char* alg : {"none", "HS256", "PS256", "rs256"}) {
    auto token = keys.sign(kClaims, "JWT", alg);
    ASSERT_FALSE(token.has_value()) << alg;
    EXPECT_EQ(token.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(keys.sign(nlohmann::json::array({1, 2})).has_value());
  EXPECT_FALSE(keys.sign(nlohmann::json{{"name", std::string("\xff")}}).has_value());
}

TEST_F(OidcKeySetTest, JwksListsEveryPublishedPublicKey) {
  auto previous = shared_generated(JwsAlgorithm::kEs256);
  const OidcKeySet with_previous = key_set_of({rsa_key(), ec_key()}, {previous});
  const nlohmann::json jwks = with_previous.jwks();
  ASSERT_EQ(jwks.at("keys").size(), 3u);
  EXPECT_EQ(jwks.at("keys")[0], rsa_key()->public_jwk());
  EXPECT_EQ(jwks.at("keys")[1], ec_key()->public_jwk());
  EXPECT_EQ(jwks.at("keys")[2], previous->public_jwk());
  EXPECT_EQ(keys.signing_algorithms(), (std::vector<std::string>{"RS256", "ES256"}));
  // A token of the previous key is still accepted; new tokens carry the current kid.
  auto old_set = key_set_of({rsa_key(), previous});
  auto old_token = old_set.sign(kClaims, "JWT", "ES256");
  ASSERT_TRUE(old_token.has_value());
  EXPECT_TRUE(with_previous.verify(*old_token).has_value());
  EXPECT_EQ(OidcKeySet::kid_of(*with_previous.sign(kClaims, "JWT", "ES256")), ec_key()->kid());
  // ... and refused by a set that no longer publishes it.
  expect_refused(keys, *old_token, "a dropped key");
}

TEST_F(OidcKeySetTest, MakeNeedsOneCurrentKeyPerAlgorithm) {
  EXPECT_FALSE(OidcKeySet::make({rsa_key()}, {}).has_value());
  EXPECT_FALSE(OidcKeySet::make({rsa_key(), rsa_key(), ec_key()}, {}).has_value());
  EXPECT_FALSE(OidcKeySet::make({rsa_key(), ec_key()}, {ec_key()}).has_value());  // kid twice
  EXPECT_FALSE(OidcKeySet::make({rsa_key(), nullptr}, {}).has_value());
}

TEST_F(OidcKeySetTest, TamperedPayloadOrSignatureIsRefused) {
  for (const char* alg : {"RS256", "ES256"}) {
    const std::string token = *keys.sign(kClaims, "JWT", alg);
    auto parts = parts_of(token);
    nlohmann::json forged = kClaims;
    forged["sub"] = "1";
    expect_refused(keys, parts[0] + "." + encode_json(forged) + "." + parts[2], "payload");
    std::string signature = *base64url_decode(parts[2]);
    signature[5] = static_cast<char>(signature[5] ^ 0x40);
    expect_refused(keys, parts[0] + "." + parts[1] + "." + base64url_encode(signature),
                   "signature");
    expect_refused(keys, parts[0] + "." + parts[1] + ".", "no signature");
    expect_refused(keys, parts[0] + "." + parts[1], "two parts");
    expect_refused(keys, token + ".", "four parts");
    expect_refused(keys, token + "=", "padding");
    // A header changed in any way changes the signed input.
    nlohmann::json header = nlohmann::json::parse(*base64url_decode(parts[0]));
    header["typ"] = "at+jwt";
    expect_refused(keys, encode_json(header) + "." + parts[1] + "." + parts[2], "header");
  }
  expect_refused(keys, "", "empty");
  expect_refused(keys, std::string(kMaxVerifiedTokenBytes + 1, 'a'), "too long");
}

TEST_F(OidcKeySetTest, UnknownOrMissingKidIsRefused) {
  const OidcKeySet other = key_set_of({shared_generated(JwsAlgorithm::kRs256), ec_key()});
  const std::string token = *other.sign(kClaims);
  expect_refused(keys, token, "unknown kid");
  EXPECT_FALSE(keys.publishes(*OidcKeySet::kid_of(token)));
  // The same signature under a header without a kid (signed by a known key) is refused too.
  const std::string input = encode_json({{"alg", "RS256"}, {"typ", "JWT"}}) + "." +
                            encode_json(kClaims);
  expect_refused(keys, input + "." + base64url_encode(*rsa_key()->sign(input)), "no kid");
  const std::string numeric_kid = encode_json({{"alg", "RS256"}, {"kid", 1}}) + "." +
                                  encode_json(kClaims);
  expect_refused(keys, numeric_kid + "." + base64url_encode(*rsa_key()->sign(numeric_kid)),
                 "kid not a string");
}

TEST_F(OidcKeySetTest, AlgorithmConfusionIsRefused) {
  const std::string payload = encode_json(kClaims);
  // "none" with a known kid and no signature.
  const std::string none = encode_json({{"alg", "none"}, {"kid", rsa_key()->kid()}}) + "." + payload;
  expect_refused(keys, none + ".", "alg none");
  // HS256 keyed with the RSA public key, as the JWK text and as its n: a verifier that let
  // the header choose the algorithm would check this HMAC with the "secret" it publishes.
  for (const std::string& secret :
       {rsa_key()->public_jwk().dump(), rsa_key()->public_jwk().at("n").get<std::string>(),
        *base64url_decode(rsa_key()->public_jwk().at("n").get<std::string>())}) {
    const std::string input =
        encode_json({{"alg", "HS256"}, {"typ", "JWT"}, {"kid", rsa_key()->kid()}}) + "." + payload;
    expect_refused(keys, input + "." + base64url_encode(hs256(secret, input)), "HS256");
  }
  // RS256 named on the EC key (with a real ES256 signature, and with an RSA one).
  const std::string on_ec =
      encode_json({{"alg", "RS256"}, {"typ", "JWT"}, {"kid", ec_key()->kid()}}) + "." + payload;
  expect_refused(keys, on_ec + "." + base64url_encode(*ec_key()->sign(on_ec)), "RS256 on EC");
  expect_refused(keys, on_ec + "." + base64url_encode(*rsa_key()->sign(on_ec)),
                 "RS256 on EC, RSA-signed");
  // ES256 named on the RSA key.
  const std::string on_rsa =
      encode_json({{"alg", "ES256"}, {"typ", "JWT"}, {"kid", rsa_key()->kid()}}) + "." + payload;
  expect_refused(keys, on_rsa + "." + base64url_encode(*ec_key()->sign(on_rsa)), "ES256 on RSA");
  // A critical extension this verifier does not understand (RFC 7515 §4.1.11).
  const std::string crit = encode_json({{"alg", "RS256"}, {"kid", rsa_key()->kid()},
                                        {"crit", {"exp"}}, {"exp", 1}}) + "." + payload;
  expect_refused(keys, crit + "." + base64url_encode(*rsa_key()->sign(crit)), "crit");
}

TEST_F(OidcKeySetTest, PayloadMustBeAJsonObject) {
  for (const std::string& body : {std::string("[1,2]"), std::string("\"text\""),
                                  std::string("{bad json")}) {
    const std::string input = encode_json({{"alg", "RS256"}, {"kid", rsa_key()->kid()}}) + "." +
                              base64url_encode(body);
    expect_refused(keys, input + "." + base64url_encode(*rsa_key()->sign(input)), body.c_str());
  }
}

}  // namespace
}  // namespace automation::oidc
