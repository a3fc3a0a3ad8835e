#include "automation/crypto/hmac_authenticator.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>
#include <utility>

#include "automation/crypto/hex.hpp"
#include "automation/crypto/secret_wipe.hpp"

namespace automation::crypto {

HmacSha256Authenticator::HmacSha256Authenticator(std::string key) : key_(std::move(key)) {}

HmacSha256Authenticator::~HmacSha256Authenticator() { wipe_secret(key_); }

std::string HmacSha256Authenticator::mac_hex(std::string_view message) const {
  std::array<unsigned char, 32> mac{};
  unsigned int mac_len = 0;
  // The one-shot HMAC() is thread-safe (no shared context) and not deprecated in OpenSSL 3.
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
           &mac_len) == nullptr ||
      mac_len != mac.size()) {
    throw std::runtime_error("OpenSSL HMAC-SHA-256 failed");
  }
  return detail::to_lower_hex(mac);
}

}  // namespace automation::crypto
