#include "automation/core/audited_change.hpp"

namespace automation {

Error audit_unwritten() {
  Error error = Error::make(ErrorCode::kUnavailable,
                            "The audit trail could not be written, so nothing was changed");
  error.retry_after_seconds = 1;
  return error;
}

}  // namespace automation
