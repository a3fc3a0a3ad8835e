// AuthorizedApi: what the caller may do (policy_actions.hpp). Reads only; nothing is audited,
// as nothing is done.

#include "automation/core/authorized_api.hpp"
#include "automation/core/policy_subjects.hpp"

namespace automation {

Result<policy::TargetActions> AuthorizedApi::target_actions(const Caller& caller,
                                                           std::string_view username) {
  if (!caller.principal) return fail(ErrorCode::kUnauthenticated, "Key is missing.");
  auto target = find_target(caller, username, nullptr);
  if (!target) return fail(target.error());
  return policy::target_actions(actor_of(*caller.principal), target_of(*target));
}

Result<policy::ActorActions> AuthorizedApi::actor_actions(const Caller& caller) {
  if (!caller.principal) return fail(ErrorCode::kUnauthenticated, "Key is missing.");
  return policy::actor_actions(actor_of(*caller.principal));
}

}  // namespace automation
