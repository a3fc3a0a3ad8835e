#pragma once

// Audit records of MFA events written from more than one place (login, signing).

#include <string_view>

#include "automation/core/audit_log.hpp"

namespace automation {

// "mfa_recovery_code_used" by `username`, with how many codes are left. Call it inside the
// change that used the code, so that the use and its record stand together;
// audit_unwritten() when the record could not be written.
Status record_recovery_code_use(AuditLog& audit, std::string_view username,
                                std::string_view address, int codes_left);

}  // namespace automation
