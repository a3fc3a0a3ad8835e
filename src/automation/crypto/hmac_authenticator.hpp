#pragma once

// HMAC-SHA-256 for the audit chain (core/audit_chain.hpp).

#include <string>
#include <string_view>

#include "automation/core/ports.hpp"

namespace automation::crypto {

class HmacSha256Authenticator final : public MessageAuthenticator {
 public:
  // key: the raw key bytes (at least 32 recommended; the app enforces it).
  explicit HmacSha256Authenticator(std::string key);
  ~HmacSha256Authenticator() override;  // wipes the key
  HmacSha256Authenticator(const HmacSha256Authenticator&) = delete;
  HmacSha256Authenticator& operator=(const HmacSha256Authenticator&) = delete;

  // Lowercase hex (64 characters). Throws std::runtime_error only if OpenSSL itself fails.
  std::string mac_hex(std::string_view message) const override;

 private:
  std::string key_;
};

}  // namespace automation::crypto
