#include "automation/crypto/jwt_codec.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automation::crypto {
namespace {

using nlohmann::json;

const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";

// ---- helpers that build tokens by hand, independently of libjwt ----

std::string base64url(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string base64url_decode(std::string text) {
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text.push_back('=');
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return {};
  std::size_t size = static_cast<std::size_t>(n);
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) --size;
  out.resize(size);
  return out;
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

// header.payload.base64url(HMAC-md(secret, header.payload)); md == nullptr: empty signature.
std::string make_token(const json& header, const json& payload, const EVP_MD* md,
                       std::string_view secret = kSecret) {
  const std::string signing_input = base64url(header.dump()) + "." + base64url(payload.dump());
  const std::string signature = md != nullptr ? base64url(hmac(md, secret, signing_input)) : "";
  return signing_input + "." + signature;
}

json good_payload() {
  return json{{"role", "operator"},
              {"created_on", "2024-05-01 12:00:00"},
              {"iat", 1714564800},
              {"jti", "4f1c9a0b7d2e6a31"}};
}

const json kHs256Header = {{"alg", "HS256"}, {"typ", "JWT"}};

TptClaims sample_claims() {
  TptClaims claims;
  claims.role = "operator";
  claims.created_on = "2024-05-01 12:00:00";
  claims.iat = 1714564800;
  claims.jti = "4f1c9a0b7d2e6a31";
  return claims;
}

json payload_of(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  return json::parse(base64url_decode(token.substr(first + 1, second - first - 1)));
}

json header_of(const std::string& token) {
  return json::parse(base64url_decode(token.substr(0, token.find('.'))));
}

void expect_invalid(const Result<TptClaims>& result) {
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(result.error().message, "Invalid token");
}

// ---- sign ----

TEST(Hs256JwtCodec, SignWithoutExpOmitsTheClaim) {
  Hs256JwtCodec codec;
  const auto token = codec.sign(sample_claims(), kSecret);
  ASSERT_TRUE(token.has_value()) << token.error().message;
  EXPECT_EQ(header_of(*token), kHs256Header);
  const json payload = payload_of(*token);
  EXPECT_EQ(payload, good_payload());
  EXPECT_FALSE(payload.contains("exp"));

  const auto claims = codec.verify(*token, kSecret);
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  EXPECT_EQ(claims->role, "operator");
  EXPECT_EQ(claims->created_on, "2024-05-01 12:00:00");
  EXPECT_EQ(claims->iat, 1714564800);
  EXPECT_EQ(claims->jti, "4f1c9a0b7d2e6a31");
  EXPECT_FALSE(claims->exp.has_value());
}

TEST(Hs256JwtCodec, SignWithExpIncludesItAsInteger) {
  Hs256JwtCodec codec;
  TptClaims in = sample_claims();
  in.exp = 4102444800;  // 2100-01-01, beyond 32-bit time
  const auto token = codec.sign(in, kSecret);
  ASSERT_TRUE(token.has_value());
  const json payload = payload_of(*token);
  ASSERT_TRUE(payload.contains("exp"));
  EXPECT_TRUE(payload["exp"].is_number_integer());
  EXPECT_EQ(payload["exp"].get<std::int64_t>(), 4102444800);
  const auto claims = codec.verify(*token, kSecret);
  ASSERT_TRUE(claims.has_value());
  ASSERT_TRUE(claims->exp.has_value());
  EXPECT_EQ(*claims->exp, 4102444800);
}

TEST(Hs256JwtCodec, SignKeepsNonAsciiClaims) {
  Hs256JwtCodec codec;
  TptClaims in = sample_claims();
  in.role = "opérateur 運用";
  const auto claims = codec.verify(codec.sign(in, kSecret).value(), kSecret);
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(claims->role, in.role);
}

TEST(Hs256JwtCodec, SignRejectsBadInput) {
  Hs256JwtCodec codec;
  const auto empty_secret = codec.sign(sample_claims(), "");
  ASSERT_FALSE(empty_secret.has_value());
  EXPECT_EQ(empty_secret.error().code, ErrorCode::kInvalidArgument);

  TptClaims bad_utf8 = sample_claims();
  bad_utf8.role = "\xff\xfe";
  const auto r1 = codec.sign(bad_utf8, kSecret);
  ASSERT_FALSE(r1.has_value());
  EXPECT_EQ(r1.error().code, ErrorCode::kInvalidArgument);

  TptClaims with_nul = sample_claims();
  with_nul.jti = std::string("abc\0def", 7);
  const auto r2 = codec.sign(with_nul, kSecret);
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().code, ErrorCode::kInvalidArgument);
}

TEST(Hs256JwtCodec, SecretIsRawBytes) {
  Hs256JwtCodec codec;
  const std::string secret("key\0with-nul-bytes-inside-0123456789", 36);
  const auto token = codec.sign(sample_claims(), secret).value();
  EXPECT_TRUE(codec.verify(token, secret).has_value());
  expect_invalid(codec.verify(token, "key"));
  // Independent HMAC over the same raw bytes gives the same signature.
  EXPECT_EQ(token, make_token(kHs256Header, good_payload(), EVP_sha256(), secret));
}

// ---- verify: accepted ----

TEST(Hs256JwtCodec, VerifiesHandBuiltHs256Token) {
  // What another HS256 implementation (e.g. PyJWT in PyAutomation) produces.
  Hs256JwtCodec codec;
  json payload = good_payload();
  payload["exp"] = 1800000000;
  payload["description"] = "extra claims are ignored";
  const auto claims = codec.verify(make_token(kHs256Header, payload, EVP_sha256()), kSecret);
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(claims->exp, 1800000000);
  // typ is optional in JWS.
  EXPECT_TRUE(codec.verify(make_token({{"alg", "HS256"}}, good_payload(), EVP_sha256()), kSecret)
                  .has_value());
}

// ---- verify: algorithm confusion ----

TEST(Hs256JwtCodec, RejectsAlgNone) {
  Hs256JwtCodec codec;
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    SCOPED_TRACE(alg);
    const json header = {{"alg", alg}, {"typ", "JWT"}};
    expect_invalid(codec.verify(make_token(header, good_payload(), nullptr), kSecret));
    // ... also when a signature segment is present.
    expect_invalid(codec.verify(make_token(header, good_payload(), EVP_sha256()), kSecret));
  }
  // The classic forgery: alg none, no signature, trailing dot.
  const std::string forged =
      base64url(R"({"alg":"none","typ":"JWT"})") + "." + base64url(good_payload().dump()) + ".";
  expect_invalid(codec.verify(forged, kSecret));
  expect_invalid(codec.verify(forged.substr(0, forged.size() - 1), kSecret));
}

TEST(Hs256JwtCodec, RejectsOtherHmacAlgorithmsEvenWithTheRightSecret) {
  Hs256JwtCodec codec;
  expect_invalid(codec.verify(
      make_token({{"alg", "HS512"}, {"typ", "JWT"}}, good_payload(), EVP_sha512()), kSecret));
  expect_invalid(codec.verify(
      make_token({{"alg", "HS384"}, {"typ", "JWT"}}, good_payload(), EVP_sha384()), kSecret));
  // libjwt reads "hs256" as HS256; only the exact spelling is accepted.
  expect_invalid(codec.verify(
      make_token({{"alg", "hs256"}, {"typ", "JWT"}}, good_payload(), EVP_sha256()), kSecret));
}

TEST(Hs256JwtCodec, RejectsAsymmetricAlgorithmLabels) {
  // RS256/ES256 headers with an HMAC signature made from the shared secret (key confusion).
  Hs256JwtCodec codec;
  for (const char* alg : {"RS256", "RS512", "ES256", "PS256", "EdDSA"}) {
    SCOPED_TRACE(alg);
    expect_invalid(codec.verify(
        make_token({{"alg", alg}, {"typ", "JWT"}}, good_payload(), EVP_sha256()), kSecret));
  }
}

TEST(Hs256JwtCodec, RejectsHeaderWithoutOrWithMistypedAlg) {
  Hs256JwtCodec codec;
  expect_invalid(codec.verify(make_token({{"typ", "JWT"}}, good_payload(), EVP_sha256()), kSecret));
  expect_invalid(codec.verify(make_token({{"alg", 256}}, good_payload(), EVP_sha256()), kSecret));
  expect_invalid(
      codec.verify(make_token(json::array({"HS256"}), good_payload(), EVP_sha256()), kSecret));
}

// ---- verify: signatures ----

TEST(Hs256JwtCodec, RejectsWrongSecret) {
  Hs256JwtCodec codec;
  const auto token = codec.sign(sample_claims(), kSecret).value();
  expect_invalid(codec.verify(token, "another-secret-another-secret-xx"));
  expect_invalid(codec.verify(token, kSecret.substr(0, kSecret.size() - 1)));
  expect_invalid(codec.verify(token, ""));
}

TEST(Hs256JwtCodec, RejectsTamperedPayloadAndSignature) {
  Hs256JwtCodec codec;
  const auto token = codec.sign(sample_claims(), kSecret).value();
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);

  json elevated = good_payload();
  elevated["role"] = "sudo";
  const std::string tampered_payload =
      token.substr(0, first + 1) + base64url(elevated.dump()) + token.substr(second);
  expect_invalid(codec.verify(tampered_payload, kSecret));

  std::string tampered_signature = token;
  tampered_signature.back() = tampered_signature.back() == 'A' ? 'B' : 'A';
  expect_invalid(codec.verify(tampered_signature, kSecret));

  expect_invalid(codec.verify(token.substr(0, token.size() - 1), kSecret));  // truncated
  expect_invalid(codec.verify(token + "A", kSecret));                        // extended
}

// ---- verify: malformed input ----

TEST(Hs256JwtCodec, RejectsGarbage) {
  Hs256JwtCodec codec;
  const auto token = codec.sign(sample_claims(), kSecret).value();
  const std::string cases[] = {
      "",
      ".",
      "..",
      "...",
      "abc",
      "a.b",
      "a.b.c",
      "a.b.c.d",
      token + ".",
      token + "." + token,
      " " + token,
      token + " ",
      token + "=",
      token + std::string("\0garbage", 8),
      std::string(token).insert(10, 1, '\0'),
      "Bearer " + token,
      std::string(Hs256JwtCodec::kMaxTokenBytes + 1, 'a'),
      "eyJhbGciOiJIUzI1NiJ9.!!!!.sig",
      base64url("not json") + "." + base64url("not json") + ".c2ln",
  };
  for (const auto& input : cases) {
    SCOPED_TRACE(input.substr(0, 80));
    expect_invalid(codec.verify(input, kSecret));
  }
}

TEST(Hs256JwtCodec, RejectsMissingOrMistypedClaims) {
  Hs256JwtCodec codec;
  std::vector<json> payloads;
  for (const char* name : {"role", "created_on", "iat", "jti"}) {
    json p = good_payload();
    p.erase(name);
    payloads.push_back(p);
  }
  const std::vector<std::pair<const char*, json>> wrong_types = {
      {"role", 3},           {"role", nullptr},      {"created_on", 1714564800},
      {"iat", "1714564800"}, {"iat", 1714564800.5},  {"iat", true},
      {"jti", 42},           {"jti", json::array()}, {"exp", "1800000000"},
      {"exp", nullptr},      {"exp", 1800000000.25}, {"exp", json::object()},
  };
  for (const auto& [name, value] : wrong_types) {
    json p = good_payload();
    p[name] = value;
    payloads.push_back(p);
  }
  payloads.push_back(json::array({good_payload()}));
  payloads.push_back(json("just a string"));
  for (const auto& payload : payloads) {
    SCOPED_TRACE(payload.dump());
    expect_invalid(codec.verify(make_token(kHs256Header, payload, EVP_sha256()), kSecret));
  }
}

}  // namespace
}  // namespace automation::crypto
