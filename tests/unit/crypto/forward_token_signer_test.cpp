#include "automation/crypto/forward_token_signer.hpp"

#include <gtest/gtest.h>
#include <jwt.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace automation::crypto {
namespace {

constexpr const char* kForwardSecret = "forward-token-test-secret-0123456789abcdef";

// The claims of `token` as libjwt (an implementation of its own) reads them with `secret`;
// null JSON when it refuses the token.
nlohmann::json decoded_claims(const std::string& token, const std::string& secret) {
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                            static_cast<int>(secret.size()));
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, jwt_free);
  if (rc != 0 || !jwt || jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return nullptr;
  char* grants = jwt_get_grants_json(jwt.get(), nullptr);
  if (grants == nullptr) return nullptr;
  auto json = nlohmann::json::parse(grants);
  std::free(grants);
  return json;
}

ForwardClaims sample_forward_claims() {
  return ForwardClaims{"ana", "operator", 10, 1'700'000'000 - 30, 1'700'000'060,
                       "00112233445566778899aabbccddeeff"};
}

TEST(Base64Url, MatchesRfc4648Vectors) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8") << "the URL-safe alphabet, no padding";
}

TEST(Hs256ForwardSigner, AnotherImplementationReadsTheClaims) {
  Hs256ForwardSigner signer(kForwardSecret);
  auto token = signer.sign(sample_forward_claims());
  ASSERT_TRUE(token) << token.error().message;
  const auto claims = decoded_claims(*token, kForwardSecret);
  ASSERT_TRUE(claims.is_object()) << *token;
  EXPECT_EQ(claims["sub"], "ana");
  EXPECT_EQ(claims["username"], "ana");
  EXPECT_EQ(claims["role"], "operator");
  EXPECT_EQ(claims["role_level"], 10);
  EXPECT_EQ(claims["iat"], 1'700'000'000 - 30);
  EXPECT_EQ(claims["exp"], 1'700'000'060);
  EXPECT_EQ(claims["jti"], "00112233445566778899aabbccddeeff");
  EXPECT_EQ(token->substr(0, token->find('.')), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
}

TEST(Hs256ForwardSigner, AnotherSecretDoesNotVerify) {
  Hs256ForwardSigner signer(kForwardSecret);
  auto token = signer.sign(sample_forward_claims());
  ASSERT_TRUE(token);
  EXPECT_TRUE(decoded_claims(*token, "another-secret-0123456789abcdef0123456789").is_null());
}

TEST(Hs256ForwardSigner, NamesAreJsonEscapedAndBadUtf8Replaced) {
  Hs256ForwardSigner signer(kForwardSecret);
  ForwardClaims claims = sample_forward_claims();
  claims.subject = "legacy \"name\"\\\n\x01";
  claims.role = std::string("op\xff");
  auto token = signer.sign(claims);
  ASSERT_TRUE(token);
  const auto decoded = decoded_claims(*token, kForwardSecret);
  ASSERT_TRUE(decoded.is_object());
  EXPECT_EQ(decoded["sub"], "legacy \"name\"\\\n\x01");
  EXPECT_EQ(decoded["role"], "op\xef\xbf\xbd");
}

}  // namespace
}  // namespace automation::crypto
