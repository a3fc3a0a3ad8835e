#include "automation/crypto/forward_token_signer.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "automation/core/text.hpp"
#include "automation/crypto/secret_wipe.hpp"

namespace automation::crypto {
namespace {

// base64url({"alg":"HS256","typ":"JWT"}): the same for every token.
constexpr std::string_view kHeaderSegment = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

// Appends `text` as a JSON string literal.
void append_json_string(std::string& out, std::string_view text) {
  if (!is_valid_utf8(text)) {
    out += nlohmann::json(std::string(text))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_member(std::string& out, std::string_view name, std::string_view value) {
  out += '"';
  out += name;
  out += "\":";
  append_json_string(out, value);
  out += ',';
}

void append_member(std::string& out, std::string_view name, long long value) {
  out += '"';
  out += name;
  out += "\":";
  out += std::to_string(value);
  out += ',';
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  const auto at = [&bytes](std::size_t index) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[index]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned group = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += kAlphabet[group & 63];
  }
  const std::size_t left = bytes.size() - i;
  if (left == 1) {
    const unsigned group = at(i) << 16;
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
  } else if (left == 2) {
    const unsigned group = (at(i) << 16) | (at(i + 1) << 8);
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
  }
  return out;
}

Hs256ForwardSigner::Hs256ForwardSigner(std::string secret) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (hmac != nullptr) keyed_ = EVP_MAC_CTX_new(hmac);
  EVP_MAC_free(hmac);  // the context keeps its own reference
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
  const bool keyed =
      keyed_ != nullptr &&
      EVP_MAC_init(keyed_, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                   params) == 1;
  wipe_secret(secret);  // OpenSSL holds the key now (and clears it when the context goes)
  if (!keyed) {
    EVP_MAC_CTX_free(keyed_);
    throw std::runtime_error("OpenSSL HMAC-SHA-256 is not available");
  }
}

Hs256ForwardSigner::~Hs256ForwardSigner() { EVP_MAC_CTX_free(keyed_); }

Result<std::string> Hs256ForwardSigner::sign(const ForwardClaims& claims) {
  std::string payload = "{";
  append_member(payload, "sub", claims.subject);
  append_member(payload, "username", claims.subject);
  append_member(payload, "role", claims.role);
  append_member(payload, "role_level", claims.role_level);
  append_member(payload, "iat", claims.issued_at);
  append_member(payload, "exp", claims.expires_at);
  append_member(payload, "jti", claims.jti);
  payload.back() = '}';

  std::string token;
  token.reserve(kHeaderSegment.size() + payload.size() * 4 / 3 + 48);
  token += kHeaderSegment;
  token += '.';
  token += base64url_encode(payload);
  std::array<unsigned char, 32> mac{};
  std::size_t mac_len = 0;
  const std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> context(
      EVP_MAC_CTX_dup(keyed_), EVP_MAC_CTX_free);
  if (!context ||
      EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size()) != 1 ||
      EVP_MAC_final(context.get(), mac.data(), &mac_len, mac.size()) != 1 ||
      mac_len != mac.size()) {
    return fail(ErrorCode::kInternal, "HMAC-SHA-256 failed");
  }
  token += '.';
  token += base64url_encode(
      std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  return token;
}

}  // namespace automation::crypto
