#pragma once

#include <string_view>
#include <vector>

#include "automation/core/ports.hpp"

namespace automation {

// Records security events (SPEC §3 "Audit log"). Callers pass names, never secrets.
class AuditLog {
 public:
  AuditLog(AuditStore& store, Clock& clock) : store_(store), clock_(clock) {}

  // Best effort: a failing audit write must not turn a completed operation into an error
  // the client would retry, so the store's error is returned for the caller to log if it wants.
  Status record(std::string_view event, std::string_view actor, std::string_view target,
                std::string_view address, std::string_view outcome,
                std::string_view reason = {});
  Result<std::vector<AuditEvent>> recent(int limit);

 private:
  AuditStore& store_;
  Clock& clock_;
};

}  // namespace automation
