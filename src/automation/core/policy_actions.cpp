#include "automation/core/policy_actions.hpp"

namespace automation::policy {
namespace {

bool allows(Operation operation, const Actor& actor, const Target& target) {
  return decide(operation, actor, target).allowed;
}

}  // namespace

TargetActions target_actions(const Actor& actor, const Target& target) {
  TargetActions actions;
  actions.edit = allows(Operation::kEditUser, actor, target);
  actions.delete_user = allows(Operation::kDeleteUser, actor, target);
  actions.change_password = allows(Operation::kChangePassword, actor, target);
  actions.reset_password = allows(Operation::kResetPassword, actor, target);
  // update_role also judges the new role; a move to the actor's own level is the least
  // privileged role it may always assign, so it stands for "some role change is possible".
  actions.change_role =
      decide_update_role(actor, target, /*new_role_name=*/{}, actor.level == 0 ? 1 : actor.level)
          .allowed;
  actions.unlock = allows(Operation::kUnlockAccount, actor, target);
  actions.manage_sessions = allows(Operation::kManageSessions, actor, target);
  actions.reset_mfa = allows(Operation::kResetMfa, actor, target);
  return actions;
}

ActorActions actor_actions(const Actor& actor) {
  ActorActions actions;
  actions.list_users = true;
  actions.create_users = decide_manage_roles(actor).allowed;
  actions.manage_roles = decide_manage_roles(actor).allowed;
  actions.add_roles = decide_add_role(actor, actor.level == 0 ? 1 : actor.level).allowed;
  actions.read_audit = decide_read_audit(actor).allowed;
  actions.read_overview = decide_read_overview(actor).allowed;
  actions.manage_tpts = decide_manage_tpts(actor).allowed;
  actions.own_account = decide_own_account(actor).allowed;
  return actions;
}

}  // namespace automation::policy
