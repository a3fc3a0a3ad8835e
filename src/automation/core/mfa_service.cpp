#include "automation/core/mfa_service.hpp"

#include <algorithm>

#include "automation/core/base32.hpp"
#include "automation/core/policy.hpp"

namespace automation {

namespace {

constexpr std::size_t kSecretBytes = 20;        // 160 bits, as RFC 4226 recommends
constexpr std::size_t kRecoveryCodeBytes = 10;  // 80 bits: 16 base32 characters
constexpr std::size_t kRecoveryCodeLength = 16;
constexpr int kDigits = 6;

std::string_view sealing_context() { return "automation-mfa-totp:"; }

// The raw bytes of lowercase hex (RandomSource answers hex).
std::string bytes_of_hex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string bytes(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  }
  return bytes;
}

// Equal lengths are compared without an early exit, so timing does not tell how many leading
// digits of a guess were right.
bool equal_in_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference = static_cast<unsigned char>(difference | (a[i] ^ b[i]));
  }
  return difference == 0;
}

// The code without the spaces and dashes people type, upper case.
std::string normalized(std::string_view code) {
  std::string out;
  for (const char c : code) {
    if (c == ' ' || c == '-') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

bool is_totp_code(std::string_view code) {
  return code.size() == static_cast<std::size_t>(kDigits) &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_recovery_code(std::string_view code) {
  return code.size() == kRecoveryCodeLength && base32_decode(code).has_value();
}

// "ABCD-EFGH-JKLM-NPQR": groups of four, as people copy them.
std::string grouped(std::string_view code) {
  std::string out;
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i != 0 && i % 4 == 0) out += '-';
    out += code[i];
  }
  return out;
}

// RFC 3986 percent-encoding of an otpauth label or parameter (unreserved characters kept).
std::string uri_encoded(std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0fU];
    }
  }
  return out;
}

std::unexpected<Error> invalid_code(ErrorCode code) {
  Error error = Error::make(code, "Invalid code");
  error.type = std::string(kMfaInvalidCode);
  return fail(std::move(error));
}

}  // namespace

std::string_view amr_of(SecondFactor factor) noexcept {
  switch (factor) {
    case SecondFactor::kNone: return "pwd";
    case SecondFactor::kTotp: return "pwd,otp";
    case SecondFactor::kRecoveryCode: return "pwd,recovery";
  }
  return "pwd";
}

MfaService::MfaService(const Ports& ports, MfaThrottle& throttle, const MfaSettings& settings)
    : ports_(ports), throttle_(throttle), settings_(settings) {}

Result<bool> MfaService::enabled(const User& user) {
  auto record = ports_.store.find_totp(user.id);
  if (!record) return fail(record.error());
  return *record && (*record)->confirmed;
}

Result<MfaStatus> MfaService::status(const User& user) {
  auto record = ports_.store.find_totp(user.id);
  if (!record) return fail(record.error());
  MfaStatus status;
  status.required_by_policy =
      policy::must_use_mfa(user.role.level, user.username, settings_.required_level);
  if (!*record) return status;
  status.enabled = (*record)->confirmed;
  status.pending = !(*record)->confirmed;
  status.confirmed_at = (*record)->confirmed_at;
  if (status.enabled) {
    auto left = ports_.store.recovery_codes_left(user.id);
    if (!left) return fail(left.error());
    status.recovery_codes_left = *left;
  }
  return status;
}

Result<TotpEnrollment> MfaService::begin_totp_enrollment(const User& user) {
  const std::string secret = bytes_of_hex(ports_.random.random_hex(kSecretBytes));
  const std::string sealed = ports_.box.seal(secret, std::string(sealing_context()) + user.identifier);
  if (auto stored = ports_.store.put_pending_totp(user.id, sealed, ports_.clock.now()); !stored) {
    if (stored.error().code == ErrorCode::kAlreadyExists) {
      return fail(ErrorCode::kAlreadyExists,
                  "Multi-factor authentication is already enabled: remove it first "
                  "(DELETE /api/users/me/mfa)");
    }
    return fail(stored.error());
  }
  std::string encoded = base32_encode(secret);
  std::string uri = otpauth_uri(user, encoded);
  return TotpEnrollment{std::move(encoded), std::move(uri)};
}

Result<RecoveryCodes> MfaService::confirm_totp_enrollment(const User& user, std::string_view code,
                                                          std::string_view session_digest) {
  auto record = ports_.store.find_totp(user.id);
  if (!record) return fail(record.error());
  if (!*record || (*record)->confirmed) {
    return fail(ErrorCode::kNotFound,
                "No enrollment waits for confirmation (POST /api/users/me/mfa/totp first)");
  }
  auto secret = open_secret(user, **record);
  if (!secret) return fail(secret.error());
  const std::string given = normalized(code);
  const auto step = is_totp_code(given) ? matching_step(*secret, given, 0) : std::nullopt;
  if (!step) return invalid_code(ErrorCode::kRuleViolation);
  std::vector<std::string> digests;
  RecoveryCodes codes = new_recovery_codes(user, digests);
  if (auto confirmed = ports_.store.confirm_totp(user.id, *step, ports_.clock.now(), digests,
                                                 session_digest);
      !confirmed) {
    return fail(confirmed.error());
  }
  return codes;
}

Result<SecondFactorCheck> MfaService::verify(const User& user, std::string_view code,
                                             std::string_view address) {
  auto record = ports_.store.find_totp(user.id);
  if (!record) return fail(record.error());
  if (!*record || !(*record)->confirmed) {
    return fail(ErrorCode::kRuleViolation,
                "Multi-factor authentication is not enabled for this account");
  }
  auto attempt = throttle_.begin_attempt(user.identifier, address);
  if (!attempt) return fail(attempt.error());
  const std::string given = normalized(code);
  SecondFactorCheck check;
  if (is_totp_code(given)) {
    auto secret = open_secret(user, **record);
    if (!secret) return fail(secret.error());
    const auto step = matching_step(*secret, given, (*record)->last_step);
    if (step) {
      // The write decides: of two requests (or nodes) with the same code, one moves the step.
      auto advanced = ports_.store.advance_totp_step(user.id, *step);
      if (!advanced) return fail(advanced.error());
      if (*advanced) check.factor = SecondFactor::kTotp;
    }
  } else if (is_recovery_code(given)) {
    auto used = ports_.store.use_recovery_code(user.id, recovery_digest(user, given));
    if (!used) return fail(used.error());
    if (*used) {
      auto left = ports_.store.recovery_codes_left(user.id);
      if (!left) return fail(left.error());
      check = SecondFactorCheck{SecondFactor::kRecoveryCode, *left};
    }
  }
  if (check.factor == SecondFactor::kNone) {
    return invalid_code(ErrorCode::kUnauthenticated);  // the attempt stays counted
  }
  throttle_.succeeded(*attempt);
  return check;
}

Result<RecoveryCodes> MfaService::regenerate_recovery_codes(const User& user) {
  auto enabled_now = enabled(user);
  if (!enabled_now) return fail(enabled_now.error());
  if (!*enabled_now) {
    return fail(ErrorCode::kRuleViolation,
                "Multi-factor authentication is not enabled for this account");
  }
  std::vector<std::string> digests;
  RecoveryCodes codes = new_recovery_codes(user, digests);
  if (auto stored = ports_.store.replace_recovery_codes(user.id, digests); !stored) {
    return fail(stored.error());
  }
  return codes;
}

Result<bool> MfaService::remove(const User& user) {
  auto removed = ports_.store.remove_mfa(user.id);
  if (!removed) return removed;
  (void)throttle_.unlock(user.identifier);  // best effort: the counts expire with the window
  return removed;
}

Result<std::string> MfaService::open_secret(const User& user, const TotpRecord& record) {
  return ports_.box.open(record.sealed_secret, std::string(sealing_context()) + user.identifier);
}

std::optional<std::int64_t> MfaService::matching_step(const std::string& secret,
                                                      std::string_view code,
                                                      std::int64_t after_step) {
  const std::int64_t now_step = ports_.clock.now() / kStepSeconds;
  std::optional<std::int64_t> found;
  // Every candidate is computed and compared, matched or not: the time taken does not say
  // which step (if any) matched.
  for (std::int64_t step = now_step - 1; step <= now_step + 1; ++step) {
    if (step <= after_step || step < 0) continue;
    const std::string expected =
        ports_.otp.hotp(secret, static_cast<std::uint64_t>(step), kDigits);
    if (equal_in_constant_time(expected, code) && !found) found = step;
  }
  return found;
}

RecoveryCodes MfaService::new_recovery_codes(const User& user, std::vector<std::string>& digests) {
  RecoveryCodes codes;
  digests.clear();
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    const std::string code =
        base32_encode(bytes_of_hex(ports_.random.random_hex(kRecoveryCodeBytes)));
    digests.push_back(recovery_digest(user, code));
    codes.push_back(grouped(code));
  }
  return codes;
}

std::string MfaService::recovery_digest(const User& user, std::string_view normalized_code) {
  // Salted with the user, so equal codes of two users (or a digest copied to another user)
  // never match.
  return ports_.digester.digest("automation-recovery-code:" + user.identifier + ":" +
                                std::string(normalized_code));
}

std::string MfaService::otpauth_uri(const User& user, std::string_view secret_base32) const {
  // Key URI format of Google Authenticator, which every authenticator app reads.
  const std::string issuer = uri_encoded(settings_.issuer);
  return "otpauth://totp/" + issuer + ":" + uri_encoded(user.username) +
         "?secret=" + std::string(secret_base32) + "&issuer=" + issuer +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace automation
