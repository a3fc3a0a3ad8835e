// AuthorizedApi: the overview figures of the console's first page (issue 23) and the audit
// chain's verification from the API, for the audit log's readers.

#include <charconv>

#include "automation/core/authorized_api.hpp"
#include "automation/core/authorized_api_audited.hpp"
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
  auto verified = audit.recent({.event = std::string(kAuditVerifyEvent), .limit = 1});
  if (!verified) return fail(verified.error());
  if (!verified->empty()) overview.last_verification = parse_audit_verification(verified->front());
  if (figures_ != nullptr) {
    auto live = figures_->live_sessions();
    if (!live) return fail(live.error());
    overview.live_sessions = *live;
    overview.audit_capacity = figures_->audit_capacity();
  }
  return overview;
}

Result<AuditChainReport> AuthorizedApi::verify_audit_chain(const Caller& caller) {
  if (!caller.principal) return fail(ErrorCode::kUnauthenticated, "Key is missing.");
  if (auto allowed = policy::decide_read_audit(actor_of(*caller.principal)).status(); !allowed) {
    record(caller, kAuditVerifyEvent, "", allowed);
    return fail(allowed.error());
  }
  if (figures_ == nullptr) {
    return fail(ErrorCode::kUnavailable, "the audit chain cannot be verified by this process");
  }
  auto report = figures_->verify_audit_chain();
  if (!report) {
    record(caller, kAuditVerifyEvent, "", status_of(report));
    return report;
  }
  // A broken chain is an answer, not an error: the event says where, for the next reader.
  const auto& problem = report->first_problem;
  AuditRecord event = audit_record(caller, kAuditVerifyEvent,
                                   audit_verification_target(problem ? problem->seq
                                                                     : report->last_seq),
                                   Status{}, false);
  if (problem) {
    event.outcome = AuditOutcome{"failure", std::string(to_string(problem->kind)) + ": " +
                                                problem->detail};
  }
  (void)core_.audit().record(event);
  return report;
}

std::string audit_verification_target(std::int64_t seq) { return "seq " + std::to_string(seq); }

std::optional<AuditVerification> parse_audit_verification(const AuditEvent& event) {
  constexpr std::string_view kPrefix = "seq ";
  if (event.event != kAuditVerifyEvent || !event.target.starts_with(kPrefix)) return std::nullopt;
  AuditVerification verification{event.time, event.outcome == "success", 0, event.actor};
  const std::string_view digits = std::string_view(event.target).substr(kPrefix.size());
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), verification.seq);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return verification;
}

}  // namespace automation
