#pragma once

// The figures of the console's first page (GET /api/overview): who is signed in, how
// logins went over the last day, which accounts are locked, where the audit chain stands and
// how full the trail is. Each is one read over an index (audit_events_event_time serves the
// login counts and the newest chain verification), the chain's head row, or a number the
// process already keeps for its metrics.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "automation/core/audit_chain.hpp"
#include "automation/core/error.hpp"
#include "automation/core/model.hpp"

namespace automation {

// How full the audit trail is, as the last retention run found it.
struct AuditCapacity {
  std::optional<std::int64_t> events_stored;  // nullopt before the first run
  std::optional<int> percent_of_capacity;     // only with AUTOMATION_AUDIT_MAX_EVENTS
  std::uint64_t write_failures = 0;           // events this process could not write
};

// What only the running process knows (a port: app/ answers it with what its metrics read,
// so the page and /metrics never disagree).
class ProcessFigures {
 public:
  virtual ~ProcessFigures() = default;
  // Sessions alive now, all users.
  virtual Result<long long> live_sessions() = 0;
  virtual AuditCapacity audit_capacity() = 0;
  // Walks the whole audit chain with the process's audit key (core/audit_chain.hpp).
  virtual Result<AuditChainReport> verify_audit_chain() = 0;
};

inline constexpr std::string_view kAuditVerifyEvent = "audit_verify";

// The newest verification of the chain from the API (an `audit_verify` event: its target is
// "seq <N>", the head it verified up to or where it found the first problem).
struct AuditVerification {
  UnixSeconds at = 0;
  bool intact = false;
  std::int64_t seq = 0;
  std::string actor;
};
std::string audit_verification_target(std::int64_t seq);
std::optional<AuditVerification> parse_audit_verification(const AuditEvent& event);

struct ServiceOverview {
  static constexpr std::int64_t kLoginPeriodSeconds = 24 * 60 * 60;

  UnixSeconds at = 0;     // when the figures were read
  UnixSeconds since = 0;  // start of the login figures' period (at - 24 h)
  std::optional<long long> live_sessions;  // nullopt without ProcessFigures
  // Audited "login" refusals since `since`: a refusal repeated within the throttle window is
  // one event carrying its count (RepeatedRefusals), so these count events, not attempts.
  std::int64_t failed_logins = 0;
  std::int64_t throttled_logins = 0;
  // Accounts whose failures fill the account limit now (they refuse every password).
  std::int64_t locked_accounts = 0;
  // The chain: sealed events run from anchor_seq + 1 (pruned before) to head_seq. Nothing
  // records when `automation audit verify` last ran, so no "verified up to" is known here.
  std::int64_t audit_head_seq = 0;
  std::int64_t audit_anchor_seq = 0;
  std::optional<AuditCapacity> audit_capacity;  // nullopt without ProcessFigures
  std::optional<AuditVerification> last_verification;  // nullopt: none in the trail
};

}  // namespace automation
