#pragma once

// Multi-factor authentication of users (IEC 62443-4-2 CR 1.1 RE2): TOTP (RFC 6238: HMAC-SHA-1,
// 6 digits, 30-second steps, the previous and next step accepted) and 10 single-use recovery
// codes. No authorization here (AuthorizedApi decides who may do what); the password checks
// that some operations ask for are the caller's too.
//
// - Secrets are sealed (SecretBox) for their user before they are stored; only this service
//   opens them, to compute codes.
// - Replay: each accepted code moves the user's last time step forward with a conditional
//   write, so a code (or an older one) is accepted once, whichever process checks it.
// - Guessing: every check is reserved in MfaThrottle before the code is looked at.
// - Recovery codes are 80 random bits each, stored as salted SHA-256 digests, deleted when used.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/mfa_model.hpp"
#include "automation/core/mfa_ports.hpp"
#include "automation/core/mfa_throttle.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

class MfaService {
 public:
  struct Ports {
    MfaStore& store;
    OtpGenerator& otp;
    SecretBox& box;
    RandomSource& random;
    TokenDigester& digester;
    Clock& clock;
  };
  MfaService(const Ports& ports, MfaThrottle& throttle, const MfaSettings& settings);

  static constexpr int kRecoveryCodeCount = 10;
  static constexpr UnixSeconds kStepSeconds = 30;

  // Whether logins of the user need a second factor (a confirmed TOTP secret).
  Result<bool> enabled(const User& user);
  Result<MfaStatus> status(const User& user);

  // A new secret, stored sealed and inactive until confirmed (replacing an earlier
  // unconfirmed one). kAlreadyExists when one is confirmed: remove it first.
  Result<TotpEnrollment> begin_totp_enrollment(const User& user);
  // Activates the pending secret when `code` is one of its codes (kRuleViolation
  // invalid_mfa_code otherwise; kNotFound when nothing is pending) and answers a new set of
  // recovery codes (the old set goes). The session `session_digest` (the one confirming; ""
  // for none) counts as verified by a second factor from then on. The confirming code's time
  // step counts as used.
  Result<RecoveryCodes> confirm_totp_enrollment(const User& user, std::string_view code,
                                                std::string_view session_digest);

  // Checks a second factor of a user with MFA enabled: a TOTP code (6 digits; spaces ignored)
  // or an unused recovery code (case, spaces and dashes ignored; used up by this check).
  // kRuleViolation when MFA is not enabled; else the attempt is reserved first (kThrottled
  // with retry_after_seconds when the limits are full) and a wrong, replayed or malformed code
  // is kUnauthenticated "Invalid code" (type invalid_mfa_code) and stays counted.
  Result<SecondFactorCheck> verify(const User& user, std::string_view code,
                                   std::string_view address);

  // A new set of recovery codes replacing the old (the caller checked password and code).
  Result<RecoveryCodes> regenerate_recovery_codes(const User& user);
  // Deletes the secret (confirmed or pending) and the recovery codes, and forgets the
  // account's wrong codes; true when MFA was enabled.
  Result<bool> remove(const User& user);
  // Forgets the account's wrong codes (an administrator's unlock); how many went.
  Result<std::int64_t> unlock(const User& user) { return throttle_.unlock(user.identifier); }

 private:
  // The secret of the record, opened for its user.
  Result<std::string> open_secret(const User& user, const TotpRecord& record);
  // The time step near now (one step either way) whose code under `secret` is `code` and
  // that is later than `after_step`.
  std::optional<std::int64_t> matching_step(const std::string& secret, std::string_view code,
                                            std::int64_t after_step);
  // Fresh codes in the clear, and their digests in `digests`.
  RecoveryCodes new_recovery_codes(const User& user, std::vector<std::string>& digests);
  std::string recovery_digest(const User& user, std::string_view normalized_code);
  std::string otpauth_uri(const User& user, std::string_view secret_base32) const;

  Ports ports_;
  MfaThrottle& throttle_;
  const MfaSettings& settings_;
};

}  // namespace automation
