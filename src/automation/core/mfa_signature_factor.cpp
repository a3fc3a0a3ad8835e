#include "automation/core/mfa_signature_factor.hpp"

#include <string>
#include <utility>

#include "automation/core/mfa_audit.hpp"
#include "automation/core/mfa_model.hpp"

namespace automation {

Status MfaSignatureFactor::check(const User& user, const std::optional<std::string>& code,
                                 std::string_view address) {
  auto enabled = mfa_.enabled(user);
  if (!enabled) return fail(enabled.error());
  if (!*enabled) return {};
  if (!code || code->empty()) {
    Error error = Error::invalid(
        "code", "is required: your account uses multi-factor authentication (a code from "
                "your authenticator app or a recovery code)");
    error.type = std::string(kMfaRequired);
    return fail(std::move(error));
  }
  auto checked = mfa_.verify(user, *code, address);
  if (!checked) {
    Error error = checked.error();
    if (error.code == ErrorCode::kUnauthenticated) error.code = ErrorCode::kPermissionDenied;
    return fail(std::move(error));
  }
  if (checked->factor != SecondFactor::kRecoveryCode) return {};
  // SignatureService checks inside the signature's change: the use is recorded with it.
  return record_recovery_code_use(audit_, user.username, address, checked->recovery_codes_left);
}

}  // namespace automation
