#include "automation/core/audit_log.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

namespace automation {

AuditOutcome audit_outcome_of(const Status& status) {
  if (status) return {"success", {}};
  const Error& error = status.error();
  std::string reason = error.message;
  for (const auto& [field, why] : error.fields) reason += "; " + field + " " + why;
  if (!error.audit_detail.empty()) reason = error.audit_detail;
  switch (error.code) {
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kRuleViolation:
      return {"denied", std::move(reason)};
    case ErrorCode::kThrottled:
      return {"throttled", std::move(reason)};
    case ErrorCode::kInternal:
    case ErrorCode::kUnavailable:
      // Driver details stay out of the trail; a detail written for it goes in.
      return {"failure",
              error.audit_detail.empty() ? std::string(to_string(error.code)) : error.audit_detail};
    default:
      return {"failure", std::move(reason)};
  }
}

Status AuditLog::record(std::string_view event, std::string_view actor, std::string_view target,
                        std::string_view address, std::string_view outcome,
                        std::string_view reason) {
  const AuditEvent entry{clock_.now(),         std::string(event),   std::string(actor),
                         std::string(target),  std::string(address), std::string(outcome),
                         std::string(reason)};
  RepeatedRefusals::Admission admission = repeats_.admit(entry);
  for (const AuditEvent& count : admission.counts) {
    if (!store_.append_event(count)) failed_writes_.fetch_add(1, std::memory_order_relaxed);
  }
  if (!admission.write) return {};
  auto written = store_.append_event(entry);
  if (!written) failed_writes_.fetch_add(1, std::memory_order_relaxed);
  return written;
}

Status AuditLog::write_repeat_counts(bool all) {
  Status status;
  for (const AuditEvent& count : repeats_.take_ended(clock_.now(), all)) {
    if (auto written = store_.append_event(count); !written) {
      failed_writes_.fetch_add(1, std::memory_order_relaxed);
      status = written;
    }
  }
  return status;
}

Result<std::vector<AuditEvent>> AuditLog::recent(AuditEventFilter filter) {
  constexpr int kMaxLimit = 1000;
  filter.limit = std::clamp(filter.limit, 1, kMaxLimit);
  return store_.recent_events(filter);
}

Result<std::vector<ExportedAuditEvent>> AuditLog::export_chain(std::int64_t after_seq,
                                                               int limit) {
  constexpr int kMaxExport = 100000;
  constexpr std::int64_t kAfterEveryId = INT64_MAX;
  auto state = store_.chain_state();
  if (!state) return fail(state.error());
  const std::int64_t start = std::max(after_seq, state->anchor_seq);
  std::string previous = state->anchor_mac;
  if (start > state->anchor_seq) {
    // The MAC the first exported event chains to: the one of event `start`.
    auto before = store_.chained_events(start - 1, kAfterEveryId, 1);
    if (!before) return fail(before.error());
    previous = before->empty() ? std::string() : before->front().mac;
  }
  auto rows = store_.chained_events(start, kAfterEveryId, std::clamp(limit, 1, kMaxExport));
  if (!rows) return fail(rows.error());
  std::vector<ExportedAuditEvent> exported;
  exported.reserve(rows->size());
  for (ChainedAuditEvent& row : *rows) {
    std::string mac = row.mac;
    exported.push_back(ExportedAuditEvent{std::move(row), std::move(previous)});
    previous = std::move(mac);
  }
  return exported;
}

}  // namespace automation
