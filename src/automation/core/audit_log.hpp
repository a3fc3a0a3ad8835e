#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/ports.hpp"
#include "automation/core/repeated_refusals.hpp"

namespace automation {

// One event of an export for an auditor: the row with its chain values, and the MAC it
// chains to, so mac = HMAC(key, audit_chain_message(previous_mac, seq, event)) can be
// checked row by row by anyone holding the key.
struct ExportedAuditEvent {
  ChainedAuditEvent row;
  std::string previous_mac;
};

// How an audited operation ended: refusals by a role or a rule are "denied", with the
// reason; messages are the client-safe ones, never a password or key; driver details
// (kInternal, kUnavailable) stay out of the trail.
struct AuditOutcome {
  const char* outcome;  // "success", "denied", "throttled" or "failure"
  std::string reason;
};
AuditOutcome audit_outcome_of(const Status& status);

// One event to record, as a caller describes it (the log adds the time and the chain).
struct AuditRecord {
  std::string event;
  std::string actor;
  std::string target;
  std::string address;
  AuditOutcome outcome;
};

// Records security events (SPEC §3 "Audit log"). Callers pass names, never secrets.
class AuditLog {
 public:
  // Refusals that repeat within `repeat_window_seconds` are recorded once with a count
  // (RepeatedRefusals); 0 records every one.
  AuditLog(AuditStore& store, Clock& clock, std::int64_t repeat_window_seconds = 0)
      : store_(store), clock_(clock), repeats_(repeat_window_seconds) {}

  // Appends one event and returns the store's answer. Inside a UnitOfWork the event commits
  // with the change it records (AuditedChanges); a failed write is counted either way.
  // A refusal repeated beyond what RepeatedRefusals writes per window is only counted (and
  // answers success).
  Status record(std::string_view event, std::string_view actor, std::string_view target,
                std::string_view address, std::string_view outcome,
                std::string_view reason = {});
  Status record(const AuditRecord& entry) {
    return record(entry.event, entry.actor, entry.target, entry.address, entry.outcome.outcome,
                  entry.outcome.reason);
  }
  // Writes the counts of repeated refusals whose window has ended (all of them when `all`,
  // at stop). Call it now and then; a count not yet written is lost with the process.
  Status write_repeat_counts(bool all = false);
  // The events `filter` keeps, newest first, at most 1,000.
  Result<std::vector<AuditEvent>> recent(AuditEventFilter filter);
  // Events of `event` with `outcome` at or after `since`.
  Result<std::int64_t> count_since(std::string_view event, std::string_view outcome,
                                   UnixSeconds since) {
    return store_.count_events_since(event, outcome, since);
  }
  // Where the chain stands (its head and anchor).
  Result<AuditChainState> chain_state() { return store_.chain_state(); }
  // Audit events that could not be written since start (for the metrics).
  std::uint64_t failed_writes() const { return failed_writes_.load(std::memory_order_relaxed); }
  // Sealed events in chain order after seq `after_seq` (from the chain's anchor when it
  // is lower), at most `limit` (clamped to 1..100000).
  Result<std::vector<ExportedAuditEvent>> export_chain(std::int64_t after_seq, int limit);

 private:
  AuditStore& store_;
  Clock& clock_;
  RepeatedRefusals repeats_;
  std::atomic<std::uint64_t> failed_writes_{0};
};

}  // namespace automation
