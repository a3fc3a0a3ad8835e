#pragma once

// Audit capacity (IEC 62443-4-2 CR 2.9 and RE1, CR 2.10): the oldest events go when they
// pass the retention age or the store's capacity, the pruning is itself an audit event
// (written in the same transaction), and crossing the warning share of the capacity is
// reported once, for the log and the metrics.

#include <cstdint>

#include "automation/core/error.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

struct AuditRetentionOutcome {
  AuditPruning pruned;
  std::int64_t events_stored = 0;
  int percent_of_capacity = 0;  // 0 when no capacity is set
  bool crossed_warning = false;  // true the first run at or above warn_percent
};

class AuditRetention {
 public:
  AuditRetention(AuditStore& store, Clock& clock, const AuditRetentionSettings& settings)
      : store_(store), clock_(clock), settings_(settings) {}

  // One retention run; safe to call from several processes at once (the store serializes).
  Result<AuditRetentionOutcome> enforce();

 private:
  AuditStore& store_;
  Clock& clock_;
  AuditRetentionSettings settings_;
  bool warned_ = false;
};

}  // namespace automation
