// policy::target_actions and actor_actions (issue 23): each flag is the decision of the rule
// the operation applies, for every actor and target role; and a few rows written out, so a
// flag wired to the wrong rule is caught even where the rules agree.
#include "automation/core/policy_actions.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace automation::policy {
namespace {

struct NamedRole {
  std::string name;
  int level;
};
const std::vector<NamedRole> kActionRoles = {{"sudo", 0},      {"admin", 1},     {"supervisor", 2},
                                             {"operator", 10}, {"auditor", 100}, {"guest", 256}};

TEST(PolicyActions, EveryTargetFlagIsTheOperationsDecision) {
  for (const auto& a : kActionRoles) {
    for (const auto& t : kActionRoles) {
      for (const bool self : {false, true}) {
        if (self && a.name != t.name) continue;
        const Actor actor{a.name, a.level, false, "me"};
        const Target target{t.name, t.level, self ? "me" : "someone"};
        SCOPED_TRACE(a.name + " on " + t.name + (self ? " (self)" : ""));
        const TargetActions actions = target_actions(actor, target);
        EXPECT_EQ(actions.edit, decide(Operation::kEditUser, actor, target).allowed);
        EXPECT_EQ(actions.delete_user, decide(Operation::kDeleteUser, actor, target).allowed);
        EXPECT_EQ(actions.change_password,
                  decide(Operation::kChangePassword, actor, target).allowed);
        EXPECT_EQ(actions.reset_password, decide(Operation::kResetPassword, actor, target).allowed);
        EXPECT_EQ(actions.unlock, decide(Operation::kUnlockAccount, actor, target).allowed);
        EXPECT_EQ(actions.manage_sessions,
                  decide(Operation::kManageSessions, actor, target).allowed);
        EXPECT_EQ(actions.reset_mfa, decide(Operation::kResetMfa, actor, target).allowed);
      }
    }
  }
}

// Letters per flag: edit, delete, change_password, reset_password, change_role, unlock,
// manage_sessions, reset_mfa (1 = offered).
std::string flags(const TargetActions& a) {
  std::string s;
  for (const bool flag : {a.edit, a.delete_user, a.change_password, a.reset_password,
                          a.change_role, a.unlock, a.manage_sessions, a.reset_mfa}) {
    s += flag ? '1' : '0';
  }
  return s;
}

TEST(PolicyActions, RowsWrittenOut) {
  const Actor admin{"admin", 1, false, "ada"};
  const Actor sudo{"sudo", 0, false, "root"};
  const Actor operator_actor{"operator", 10, false, "otto"};
  const Target operator_target{"operator", 10, "otto"};
  const Target admin_target{"admin", 1, "ann"};
  const Target sudo_target{"sudo", 0, "root2"};
  EXPECT_EQ(flags(target_actions(admin, operator_target)), "11111111");
  EXPECT_EQ(flags(target_actions(admin, Target{"admin", 1, "ada"})), "10110110");  // own
  EXPECT_EQ(flags(target_actions(sudo, operator_target)), "11001100");
  EXPECT_EQ(flags(target_actions(sudo, admin_target)), "11111111");
  EXPECT_EQ(flags(target_actions(sudo, sudo_target)), "00000000");
  EXPECT_EQ(flags(target_actions(operator_actor, admin_target)), "00000000");
  EXPECT_EQ(flags(target_actions(operator_actor, operator_target)), "10110000");  // own
}

TEST(PolicyActions, ActorFlagsByRole) {
  const auto of = [](std::string_view role, int level, bool token = false) {
    const ActorActions a = actor_actions(Actor{role, level, token, token ? "" : "me"});
    std::string s;
    for (const bool flag : {a.list_users, a.create_users, a.manage_roles, a.add_roles,
                            a.read_audit, a.read_overview, a.manage_tpts, a.own_account}) {
      s += flag ? '1' : '0';
    }
    return s;
  };
  EXPECT_EQ(of("sudo", 0), "11111111");
  EXPECT_EQ(of("admin", 1), "11111101");
  EXPECT_EQ(of("auditor", 100), "10001101");
  EXPECT_EQ(of("operator", 10), "10000001");
  EXPECT_EQ(of("admin", 1, true), "11111100");  // a token: no account, no token management
}

}  // namespace
}  // namespace automation::policy
