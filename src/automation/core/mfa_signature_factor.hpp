#pragma once

// The second factor of electronic signatures (docs/signatures.md): a signer whose account has
// MFA sends a code with the password, checked by MfaService itself, so signing shares login's
// replay protection (a code is accepted once) and its limits on wrong codes.

#include "automation/core/audit_log.hpp"
#include "automation/core/mfa_service.hpp"
#include "automation/core/signature.hpp"

namespace automation {

class MfaSignatureFactor final : public SignatureSecondFactor {
 public:
  MfaSignatureFactor(MfaService& mfa, AuditLog& audit) : mfa_(mfa), audit_(audit) {}

  // No MFA: success, whatever `code` holds. MFA and no code: 400 on `code` (type
  // mfa_required). A wrong, replayed or malformed code: 403 "Invalid code" (type
  // invalid_mfa_code), like a wrong signing password (a 401 would end the signer's session in
  // PyAutomation's HMI); too many: 429. A recovery code is used up and its use audited.
  Status check(const User& user, const std::optional<std::string>& code,
               std::string_view address) override;

 private:
  MfaService& mfa_;
  AuditLog& audit_;
};

}  // namespace automation
