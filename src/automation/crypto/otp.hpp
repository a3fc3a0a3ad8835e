#pragma once

// One-time passwords: HOTP (RFC 4226) and so TOTP (RFC 6238, HOTP of the time step).

#include <cstdint>
#include <string>
#include <string_view>

#include "automation/core/mfa_ports.hpp"

namespace automation::crypto {

// The HMAC of RFC 6238's three variants; authenticator apps speak SHA-1 (the others are
// here for RFC 6238's Appendix B test vectors).
enum class OtpHash { kSha1, kSha256, kSha512 };

// The `digits`-digit (1-9) code of `counter` under `key` (raw bytes): HMAC, dynamic
// truncation, modulo 10^digits, leading zeros kept. Throws std::runtime_error only if
// OpenSSL itself fails.
std::string hotp_code(OtpHash hash, std::string_view key, std::uint64_t counter, int digits);

// The OtpGenerator port with HMAC-SHA-1, what every authenticator app computes.
class Sha1OtpGenerator final : public OtpGenerator {
 public:
  std::string hotp(std::string_view key, std::uint64_t counter, int digits) override {
    return hotp_code(OtpHash::kSha1, key, counter, digits);
  }
};

}  // namespace automation::crypto
