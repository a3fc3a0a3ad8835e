#pragma once

// Values of multi-factor authentication (IEC 62443-4-2 CR 1.1 RE2): TOTP (RFC 6238) with
// single-use recovery codes. See core/mfa_service.hpp for the rules.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/model.hpp"

namespace automation {

// What a login proved besides the password.
enum class SecondFactor {
  kNone,          // the password alone
  kTotp,          // a code of the user's authenticator app
  kRecoveryCode,  // one of the user's single-use recovery codes (now used up)
};

// The factors as audit events name them (RFC 8176 "amr" values): "pwd", "pwd,otp" or
// "pwd,recovery".
std::string_view amr_of(SecondFactor factor) noexcept;

// Error::type of the MFA refusals, for clients that branch on them.
inline constexpr std::string_view kMfaRequired = "mfa_required";  // login: send the code
inline constexpr std::string_view kMfaInvalidCode = "invalid_mfa_code";
// The second step's mfa_token is unknown, used, expired or from another address.
inline constexpr std::string_view kMfaInvalidToken = "invalid_mfa_token";
inline constexpr std::string_view kMfaEnrollmentRequired = "mfa_enrollment_required";

// A TOTP secret as stored: sealed (SecretBox), never in the clear.
struct TotpRecord {
  std::string sealed_secret;
  bool confirmed = false;       // false: enrolled but not yet confirmed with a code
  UnixSeconds created_at = 0;
  UnixSeconds confirmed_at = 0;  // 0 while unconfirmed
  std::int64_t last_step = 0;    // time step of the last code accepted (0: none yet)
};

// The start of an enrollment: what the user's authenticator app needs, shown once.
struct TotpEnrollment {
  std::string secret_base32;  // RFC 4648 base32 without padding, as apps take it
  std::string otpauth_uri;    // otpauth://totp/... (what the QR code carries)
};

// Recovery codes, in the clear: shown once (at confirmation and regeneration), stored as
// digests only.
using RecoveryCodes = std::vector<std::string>;

// What is enrolled for a user (GET /api/users/me/mfa).
struct MfaStatus {
  bool enabled = false;             // a confirmed TOTP secret: logins need a second factor
  bool pending = false;             // an enrollment waits for its confirmation
  UnixSeconds confirmed_at = 0;
  int recovery_codes_left = 0;
  bool required_by_policy = false;  // AUTOMATION_MFA_REQUIRED_LEVEL covers the user's role
};

// A right code: which kind it was, and for a recovery code how many remain.
struct SecondFactorCheck {
  SecondFactor factor = SecondFactor::kNone;
  int recovery_codes_left = -1;  // -1 unless a recovery code was used
};

// A login whose password was right, waiting for the second factor (POST
// /api/users/login/mfa). Stored by the digest of its token only.
struct MfaChallenge {
  std::string token_digest;
  std::int64_t user_id = 0;
  std::string client_address;  // only a request from here may complete it
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
};

}  // namespace automation
