// AuthorizedApi: the caller's own account as "My account" of the web console shows it (issue
// 23): the password rules before a change, and the caller's sessions, to end the others.

#include "automation/core/authorized_api_audited.hpp"
#include "automation/core/policy.hpp"
#include "automation/core/policy_subjects.hpp"
#include "automation/core/users_core.hpp"

namespace automation {

Result<PasswordRules> AuthorizedApi::password_rules(const Caller& caller) const {
  if (!caller.principal) return fail(ErrorCode::kUnauthenticated, "Key is missing.");
  return automation::password_rules(core_.settings());
}

Result<std::vector<SessionSummary>> AuthorizedApi::list_own_sessions(const Caller& caller) {
  if (!caller.principal) return fail(ErrorCode::kUnauthenticated, "Key is missing.");
  if (auto own = policy::decide_own_account(actor_of(*caller.principal)).status(); !own) {
    return fail(own.error());
  }
  return core_.session_admin().list_sessions(*caller.principal->user);
}

Result<SessionSummary> AuthorizedApi::revoke_own_session(const Caller& caller,
                                                        std::string_view session_id) {
  if (!caller.principal) return fail(ErrorCode::kUnauthenticated, "Key is missing.");
  const bool hidden = false;  // one's own account is never hidden
  const std::string target = caller.principal->audit_name() + " session " + std::string(session_id);
  return audited(caller, "session_revoke", target, hidden, [&]() -> Result<SessionSummary> {
    if (auto own = policy::decide_own_account(actor_of(*caller.principal)).status(); !own) {
      return fail(own.error());
    }
    return core_.session_admin().revoke_session(*caller.principal->user, session_id);
  });
}

}  // namespace automation
