// AuthorizedApi: the overview figures of the console's first page (issue 23), for the audit
// log's readers.

#include "automation/core/authorized_api.hpp"
#include "automation/core/policy.hpp"
#include "automation/core/policy_subjects.hpp"
#include "automation/core/users_core.hpp"

namespace automation {

Result<ServiceOverview> AuthorizedApi::service_overview(const Caller& caller) {
  if (!caller.principal) return fail(ErrorCode::kUnauthenticated, "Key is missing.");
  if (auto allowed = policy::decide_read_overview(actor_of(*caller.principal)).status();
      !allowed) {
    record(caller, "overview_read", "", allowed);  // reads are audited when refused only
    return fail(allowed.error());
  }
  ServiceOverview overview;
  overview.at = core_.clock().now();
  overview.since = overview.at - ServiceOverview::kLoginPeriodSeconds;
  AuditLog& audit = core_.audit();
  auto failed = audit.count_since("login", "failure", overview.since);
  if (!failed) return fail(failed.error());
  overview.failed_logins = *failed;
  auto throttled = audit.count_since("login", "throttled", overview.since);
  if (!throttled) return fail(throttled.error());
  overview.throttled_logins = *throttled;
  auto locked = core_.login_throttle().locked_accounts();
  if (!locked) return fail(locked.error());
  overview.locked_accounts = *locked;
  auto chain = audit.chain_state();
  if (!chain) return fail(chain.error());
  overview.audit_head_seq = chain->head_seq;
  overview.audit_anchor_seq = chain->anchor_seq;
  if (figures_ != nullptr) {
    auto live = figures_->live_sessions();
    if (!live) return fail(live.error());
    overview.live_sessions = *live;
    overview.audit_capacity = figures_->audit_capacity();
  }
  return overview;
}

}  // namespace automation
