#include "automation/core/audit_log.hpp"

#include <algorithm>
#include <string>

namespace automation {

Status AuditLog::record(std::string_view event, std::string_view actor, std::string_view target,
                        std::string_view address, std::string_view outcome,
                        std::string_view reason) {
  return store_.append_event(AuditEvent{clock_.now(), std::string(event), std::string(actor),
                                        std::string(target), std::string(address),
                                        std::string(outcome), std::string(reason)});
}

Result<std::vector<AuditEvent>> AuditLog::recent(int limit) {
  constexpr int kMaxLimit = 1000;
  return store_.recent_events(std::clamp(limit, 1, kMaxLimit));
}

}  // namespace automation
