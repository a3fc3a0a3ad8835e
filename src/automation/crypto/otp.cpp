#include "automation/crypto/otp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace automation::crypto {

namespace {

const EVP_MD* digest_of(OtpHash hash) {
  switch (hash) {
    case OtpHash::kSha1: return EVP_sha1();
    case OtpHash::kSha256: return EVP_sha256();
    case OtpHash::kSha512: return EVP_sha512();
  }
  return EVP_sha1();
}

}  // namespace

std::string hotp_code(OtpHash hash, std::string_view key, std::uint64_t counter, int digits) {
  if (digits < 1 || digits > 9) throw std::invalid_argument("HOTP digits must be 1-9");
  // The counter as 8 bytes, big-endian (RFC 4226 section 5.2).
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xffU);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (HMAC(digest_of(hash), key.data(), static_cast<int>(key.size()), message.data(),
           message.size(), mac.data(), &mac_len) == nullptr ||
      mac_len < 20) {
    throw std::runtime_error("OpenSSL HMAC failed");
  }
  // Dynamic truncation: 31 bits from the offset the last nibble names (section 5.3).
  const unsigned offset = mac[mac_len - 1] & 0x0fU;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7fU) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                               static_cast<std::uint32_t>(mac[offset + 3]);
  std::uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
  return code;
}

}  // namespace automation::crypto
