#include "automation/core/mfa_audit.hpp"

#include <string>

#include "automation/core/audited_change.hpp"

namespace automation {

Status record_recovery_code_use(AuditLog& audit, std::string_view username,
                                std::string_view address, int codes_left) {
  auto written = audit.record(AuditRecord{
      "mfa_recovery_code_used", std::string(username), std::string(username),
      std::string(address), {"success", std::to_string(codes_left) + " recovery codes left"}});
  if (!written) return fail(audit_unwritten());
  return {};
}

}  // namespace automation
