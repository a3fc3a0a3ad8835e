#include "automation/core/audit_log.hpp"

#include <algorithm>
#include <string>

namespace automation {

AuditOutcome audit_outcome_of(const Status& status) {
  if (status) return {"success", {}};
  const Error& error = status.error();
  std::string reason = error.message;
  for (const auto& [field, why] : error.fields) reason += "; " + field + " " + why;
  switch (error.code) {
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kRuleViolation:
      return {"denied", std::move(reason)};
    case ErrorCode::kThrottled:
      return {"throttled", std::move(reason)};
    case ErrorCode::kInternal:
    case ErrorCode::kUnavailable:
      return {"failure", to_string(error.code)};  // driver details stay out of the trail
    default:
      return {"failure", std::move(reason)};
  }
}

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
