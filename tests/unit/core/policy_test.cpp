#include "automation/core/policy.hpp"
#include "automation/core/mfa_model.hpp"
#include "automation/core/password_rules.hpp"
#include "automation/core/policy_subjects.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace automation::policy {
namespace {

const std::map<std::string, int> kLevels = {{"sudo", 0},     {"admin", 1},    {"supervisor", 2},
                                            {"operator", 10}, {"auditor", 100}, {"guest", 256}};
const std::vector<std::string> kRoles = {"sudo", "admin", "supervisor", "operator", "auditor",
                                         "guest"};

// Expected outcome letters: A = allowed, R = rule violation (400), P = permission denied (403).
// Columns: own account, then other targets in kRoles order.
struct Row {
  std::string actor;
  std::string own;
  std::string others;  // one letter per target role in kRoles order
};

char outcome(const Decision& d) {
  if (d.allowed) return 'A';
  return d.code == ErrorCode::kRuleViolation ? 'R' : (d.code == ErrorCode::kPermissionDenied ? 'P' : 'I');
}

void check_table(Operation op, const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    const int level = kLevels.at(row.actor);
    Actor actor{row.actor, level, false, "me"};
    SCOPED_TRACE("actor " + row.actor);
    EXPECT_EQ(outcome(decide(op, actor, Target{row.actor, level, "me"})), row.own[0]) << "own";
    for (std::size_t i = 0; i < kRoles.size(); ++i) {
      const Target target{kRoles[i], kLevels.at(kRoles[i]), "someone"};
      EXPECT_EQ(outcome(decide(op, actor, target)), row.others[i]) << "target " << kRoles[i];
    }
  }
}

TEST(Policy, ChangePasswordTable) {
  check_table(Operation::kChangePassword, {{"sudo", "R", "RARRRR"},
                                           {"admin", "A", "RAAAAA"},
                                           {"supervisor", "A", "RRRRRR"},
                                           {"operator", "A", "RRRRRR"},
                                           {"auditor", "A", "RRRRRR"},
                                           {"guest", "A", "RRRRRR"}});
}

TEST(Policy, ResetPasswordTableMatchesChange) {
  check_table(Operation::kResetPassword, {{"sudo", "R", "RARRRR"},
                                          {"admin", "A", "RAAAAA"},
                                          {"supervisor", "A", "RRRRRR"},
                                          {"operator", "A", "RRRRRR"},
                                          {"auditor", "A", "RRRRRR"},
                                          {"guest", "A", "RRRRRR"}});
}

// Listing and ending sessions: the reset rule for admin and sudo (issue #12 point 4), and
// nobody else, not even for their own sessions (logout and logout_all are theirs).
TEST(Policy, ManageSessionsTable) {
  check_table(Operation::kManageSessions, {{"sudo", "R", "RARRRR"},
                                           {"admin", "A", "RAAAAA"},
                                           {"supervisor", "P", "PPPPPP"},
                                           {"operator", "P", "PPPPPP"},
                                           {"auditor", "P", "PPPPPP"},
                                           {"guest", "P", "PPPPPP"}});
}

// Resetting another user's MFA: the reset rule for admin and sudo, never one's own (the owner
// removes it with password and code), nobody else.
TEST(Policy, ResetMfaTable) {
  check_table(Operation::kResetMfa, {{"sudo", "R", "RARRRR"},
                                     {"admin", "R", "RAAAAA"},
                                     {"supervisor", "P", "PPPPPP"},
                                     {"operator", "P", "PPPPPP"},
                                     {"auditor", "P", "PPPPPP"},
                                     {"guest", "P", "PPPPPP"}});
}

// A session that must set up MFA first may change its own password, nothing else.
TEST(Policy, ASessionThatMustEnrollMfaOnlyChangesItsOwnPassword) {
  Actor admin{"admin", 1, false, "me"};
  admin.must_enroll_mfa = true;
  EXPECT_TRUE(decide(Operation::kChangePassword, admin, Target{"admin", 1, "me"}).allowed);
  for (const Operation op : {Operation::kChangePassword, Operation::kResetPassword,
                             Operation::kEditUser, Operation::kDeleteUser,
                             Operation::kUnlockAccount, Operation::kManageSessions,
                             Operation::kResetMfa}) {
    const Decision decision = decide(op, admin, Target{"operator", 10, "someone"});
    EXPECT_FALSE(decision.allowed) << static_cast<int>(op);
    EXPECT_EQ(decision.type, "mfa_enrollment_required");
  }
}

TEST(Policy, MfaIsRequiredAtOrBelowTheLevelAndNeverOfSystem) {
  EXPECT_FALSE(must_use_mfa(1, "ana", std::nullopt)) << "off by default";
  EXPECT_TRUE(must_use_mfa(0, "root", 1));
  EXPECT_TRUE(must_use_mfa(1, "ana", 1));
  EXPECT_FALSE(must_use_mfa(2, "sue", 1));
  EXPECT_FALSE(must_use_mfa(0, "system", 1)) << "the break-glass account";
  EXPECT_FALSE(must_use_mfa(0, "SYSTEM", 256));
  EXPECT_TRUE(must_use_mfa(256, "guest1", 256));
}

TEST(Policy, EditUserTable) {
  // Sudo accounts are edited by themselves or with the CLI only (SPEC §2).
  check_table(Operation::kEditUser, {{"sudo", "A", "PAAAAA"},
                                     {"admin", "A", "PAAAAA"},
                                     {"supervisor", "A", "PPPPPP"},
                                     {"operator", "A", "PPPPPP"},
                                     {"auditor", "A", "PPPPPP"},
                                     {"guest", "A", "PPPPPP"}});
}

TEST(Policy, DeleteUserTable) {
  check_table(Operation::kDeleteUser, {{"sudo", "R", "PAAAAA"},
                                       {"admin", "R", "PAAAAA"},
                                       {"supervisor", "P", "PPPPPP"},
                                       {"operator", "P", "PPPPPP"},
                                       {"auditor", "P", "PPPPPP"},
                                       {"guest", "P", "PPPPPP"}});
}

TEST(Policy, NobodyDeletesSystem) {
  const Actor sudo{"sudo", 0, false, "root2"};
  EXPECT_EQ(outcome(decide(Operation::kDeleteUser, sudo, Target{"sudo", 0, "system"})), 'R');
  EXPECT_EQ(outcome(decide(Operation::kDeleteUser, sudo, Target{"sudo", 0, "SYSTEM"})), 'R');
}

TEST(Policy, SudoAccountsAreManagedWithTheCliOnly) {
  const Actor sudo{"sudo", 0, false, "root"};
  const Actor sudo_token{"sudo", 0, true, ""};
  const Target other_sudo{"sudo", 0, "root2"};
  const Target level_zero{"superuser", 0, "legacy"};  // a PyAutomation role at level 0
  for (const Target& target : {other_sudo, level_zero}) {
    SCOPED_TRACE(std::string(target.username));
    EXPECT_FALSE(decide(Operation::kEditUser, sudo, target).allowed);
    EXPECT_FALSE(decide(Operation::kDeleteUser, sudo, target).allowed);
    EXPECT_FALSE(decide(Operation::kResetPassword, sudo, target).allowed);
    EXPECT_FALSE(decide(Operation::kChangePassword, sudo, target).allowed);
    EXPECT_FALSE(decide_update_role(sudo, target, "admin", 1).allowed);
    EXPECT_FALSE(decide_update_role(sudo_token, target, "admin", 1).allowed);
    EXPECT_FALSE(may_see_user(sudo_token, target));
    EXPECT_FALSE(may_see_user(Actor{"admin", 1, false, "adm"}, target));
    EXPECT_TRUE(may_see_user(sudo, target));
  }
  // A sudo user still edits its own profile.
  EXPECT_TRUE(decide(Operation::kEditUser, sudo, Target{"sudo", 0, "root"}).allowed);
}

TEST(Policy, ThirdPartyTokensNeverCarrySudo) {
  EXPECT_EQ(decide_tpt_role("sudo", 0).code, ErrorCode::kInvalidArgument);  // a 400
  EXPECT_FALSE(decide_tpt_role("SUDO", 0).allowed);
  EXPECT_FALSE(decide_tpt_role("superuser", 0).allowed);
  EXPECT_TRUE(decide_tpt_role("admin", 1).allowed);
  EXPECT_TRUE(decide_tpt_role("operator", 10).allowed);
}

TEST(Policy, RoleNamesAreCaseInsensitive) {
  const Actor sudo{"SUDO", 0, false, "root"};
  EXPECT_TRUE(decide(Operation::kResetPassword, sudo, Target{"ADMIN", 1, "boss"}).allowed);
}

TEST(Policy, TokensHaveNoOwnAccount) {
  const Actor operator_token{"operator", 10, true, ""};
  EXPECT_EQ(outcome(decide(Operation::kChangePassword, operator_token,
                           Target{"operator", 10, "someone"})),
            'P');
  EXPECT_EQ(outcome(decide_own_account(operator_token)), 'P');
  const Actor admin_token{"admin", 1, true, ""};
  EXPECT_TRUE(decide(Operation::kResetPassword, admin_token, Target{"guest", 256, "g"}).allowed);
}

// A proxy's minimum level: each default role against a guard of level 10 (operator and up).
TEST(Policy, RequiredLevelTable) {
  const std::map<std::string, char> expected = {{"sudo", 'A'},     {"admin", 'A'},
                                                {"supervisor", 'A'}, {"operator", 'A'},
                                                {"auditor", 'P'},  {"guest", 'P'}};
  for (const auto& [role, letter] : expected) {
    SCOPED_TRACE(role);
    EXPECT_EQ(outcome(decide_required_level(Actor{role, kLevels.at(role), false, "me"}, 10)),
              letter);
  }
  EXPECT_EQ(decide_required_level(Actor{"guest", 256, false, "g"}, 10).reason,
            "Access denied. Required role level: <= 10");
  EXPECT_EQ(outcome(decide_required_level(Actor{"operator", 10, true, ""}, 10)), 'A')
      << "a token is judged by its role like a session";
}

// update_role: columns = new role in kRoles order, for a target of role guest (other user).
TEST(Policy, UpdateRoleTable) {
  const std::map<std::string, std::string> expected = {
      {"sudo", "RAAAAA"},       {"admin", "RAAAAA"},   {"supervisor", "PPPPPP"},
      {"operator", "PPPPPP"}, {"auditor", "PPPPPP"}, {"guest", "PPPPPP"}};
  for (const auto& [actor_role, letters] : expected) {
    const Actor actor{actor_role, kLevels.at(actor_role), false, "me"};
    for (std::size_t i = 0; i < kRoles.size(); ++i) {
      SCOPED_TRACE(actor_role + " -> " + kRoles[i]);
      EXPECT_EQ(outcome(decide_update_role(actor, Target{"guest", 256, "g"}, kRoles[i],
                                           kLevels.at(kRoles[i]))),
                letters[i]);
    }
  }
}

TEST(Policy, UpdateRoleRules) {
  const Actor admin{"admin", 1, false, "me"};
  // Own role: never.
  EXPECT_EQ(outcome(decide_update_role(admin, Target{"admin", 1, "me"}, "guest", 256)), 'R');
  // Target above the actor: never.
  EXPECT_EQ(outcome(decide_update_role(admin, Target{"sudo", 0, "root"}, "guest", 256)), 'R');
  // New role above the actor (a custom level-0.5 does not exist; use a sudo-level role).
  const Actor supervisor_admin{"admin", 2, false, "me"};
  EXPECT_EQ(outcome(decide_update_role(supervisor_admin, Target{"guest", 256, "g"}, "admin", 1)),
            'R');
}

TEST(Policy, SignupRoles) {
  EXPECT_TRUE(decide_signup_role(std::nullopt, true, "guest", 256).allowed);
  EXPECT_EQ(outcome(decide_signup_role(std::nullopt, true, "operator", 10)), 'P');
  EXPECT_EQ(outcome(decide_signup_role(std::nullopt, false, "guest", 256)), 'P');
  const Actor admin{"admin", 1, false, "me"};
  EXPECT_TRUE(decide_signup_role(admin, true, "admin", 1).allowed);
  EXPECT_TRUE(decide_signup_role(admin, false, "operator", 10).allowed);
  EXPECT_EQ(outcome(decide_signup_role(admin, true, "sudo", 0)), 'P');
  const Actor op{"operator", 10, false, "me"};
  EXPECT_EQ(outcome(decide_signup_role(op, true, "operator", 10)), 'P');
}

TEST(Policy, AddRole) {
  const Actor admin{"admin", 1, false, "me"};
  EXPECT_TRUE(decide_add_role(admin, 5).allowed);
  EXPECT_TRUE(decide_add_role(admin, 1).allowed);
  EXPECT_EQ(decide_add_role(admin, 0).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(decide_add_role(admin, -3).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(outcome(decide_add_role(Actor{"operator", 10, false, "me"}, 20)), 'P');
}

TEST(Policy, TptManagementIsSudoSessionOnly) {
  EXPECT_TRUE(decide_manage_tpts(Actor{"sudo", 0, false, "root"}).allowed);
  EXPECT_EQ(outcome(decide_manage_tpts(Actor{"sudo", 0, true, ""})), 'P');
  EXPECT_EQ(outcome(decide_manage_tpts(Actor{"admin", 1, false, "a"})), 'P');
  EXPECT_EQ(decide_manage_tpts(Actor{"admin", 1, false, "a"}).reason,
            "Access denied. Required roles: ['sudo']");
}

TEST(Policy, SudoUsersAreVisibleToSudoOnly) {
  const Target sudo_target{"sudo", 0, "root"};
  EXPECT_TRUE(may_see_user(Actor{"sudo", 0, false, "other"}, sudo_target));
  EXPECT_FALSE(may_see_user(Actor{"admin", 1, false, "a"}, sudo_target));
  EXPECT_TRUE(may_see_user(Actor{"guest", 256, false, "g"}, Target{"admin", 1, "a"}));
}

TEST(Policy, CurrentPasswordOnlyForOwnAccount) {
  const Actor admin{"admin", 1, false, "Boss"};
  EXPECT_TRUE(requires_current_password(admin, Target{"admin", 1, "boss"}));
  EXPECT_FALSE(requires_current_password(admin, Target{"guest", 256, "g"}));
  EXPECT_FALSE(requires_current_password(Actor{"admin", 1, true, ""}, Target{"admin", 1, ""}));
}

TEST(Policy, ManagingRolesIsForAdminAndSudo) {
  for (const auto& role : kRoles) {
    const bool expected = role == "sudo" || role == "admin";
    EXPECT_EQ(decide_manage_roles(Actor{role, kLevels.at(role), false, "x"}).allowed, expected)
        << role;
  }
}

TEST(Policy, AuditReaders) {
  for (const auto& role : kRoles) {
    const bool expected = role == "sudo" || role == "admin" || role == "auditor";
    EXPECT_EQ(decide_read_audit(Actor{role, kLevels.at(role), false, "x"}).allowed, expected)
        << role;
  }
}

// Electronic signatures, with the default meanings (performed:10, reviewed:2, approved:2,
// verified:2). One letter per actor role in kRoles order: A allowed, P permission denied.
TEST(Policy, SignTable) {
  const std::vector<std::pair<int, std::string>> rows = {
      {10, "AAAAPP"},  // performed: operator and above
      {2, "AAAPPP"},   // reviewed, approved, verified: supervisor and above
      {0, "APPPPP"},   // a meaning for sudo alone
      {256, "AAAAAA"},  // a meaning everyone may sign
  };
  for (const auto& [max_level, expected] : rows) {
    for (std::size_t i = 0; i < kRoles.size(); ++i) {
      const Actor actor{kRoles[i], kLevels.at(kRoles[i]), false, "me", false, false, "id-me"};
      EXPECT_EQ(outcome(decide_sign(actor, max_level)), expected[i])
          << kRoles[i] << " at max level " << max_level;
    }
  }
}

// A session held back to change its password or to set up MFA signs nothing either.
TEST(Policy, AHeldBackSessionDoesNotSign) {
  const Actor must_change{"admin", 1, false, "me", true, false, "id-me"};
  EXPECT_EQ(decide_sign(must_change, 256).type, kPasswordChangeRequired);
  const Actor must_enroll{"admin", 1, false, "me", false, true, "id-me"};
  EXPECT_EQ(decide_sign(must_enroll, 256).type, kMfaEnrollmentRequired);
  EXPECT_EQ(outcome(decide_countersign(must_enroll, "id-someone", 256)), 'P');
}

TEST(Policy, AThirdPartyTokenNeverSigns) {
  const Actor token{"admin", 1, true, "", false, false, ""};
  EXPECT_EQ(outcome(decide_sign(token, 256)), 'P');
  EXPECT_EQ(outcome(decide_countersign(token, "id-someone", 256)), 'P');
}

// Countersigning: the role rule of the countersignature's meaning (max level 2), and never the
// signer themselves, compared by identifier (a renamed signer is still the signer).
TEST(Policy, CountersignTable) {
  for (std::size_t i = 0; i < kRoles.size(); ++i) {
    const Actor actor{kRoles[i], kLevels.at(kRoles[i]), false, "me", false, false, "id-me"};
    const char other = i <= 2 ? 'A' : 'P';
    EXPECT_EQ(outcome(decide_countersign(actor, "id-someone", 2)), other) << kRoles[i];
    const char own = i <= 2 ? 'R' : 'P';
    EXPECT_EQ(outcome(decide_countersign(actor, "id-me", 2)), own) << kRoles[i] << " own";
  }
  const Actor renamed{"admin", 1, false, "new-name", false, false, "id-me"};
  const auto same = decide_countersign(renamed, "id-me", 2);
  EXPECT_EQ(outcome(same), 'R');
  EXPECT_EQ(same.type, "verifier_is_signer");
}

// Reading a signature: its signer (by identifier), admin, sudo, auditor. One letter per
// actor role: own signature, then another person's (Y may read, N may not).
TEST(Policy, SignatureReadersTable) {
  const std::vector<std::string> expected = {"YY", "YY", "YN", "YN", "YY", "YN"};
  for (std::size_t i = 0; i < kRoles.size(); ++i) {
    const Actor actor{kRoles[i], kLevels.at(kRoles[i]), false, "me", false, false, "id-me"};
    EXPECT_EQ(may_read_signature(actor, "id-me") ? 'Y' : 'N', expected[i][0]) << kRoles[i];
    EXPECT_EQ(may_read_signature(actor, "id-other") ? 'Y' : 'N', expected[i][1]) << kRoles[i];
    EXPECT_EQ(may_read_all_signatures(actor), expected[i][1] == 'Y') << kRoles[i];
  }
  // A token reads as its role allows, and has no signatures of its own.
  EXPECT_TRUE(may_read_signature(Actor{"auditor", 100, true, "", false, false, ""}, "id-other"));
  EXPECT_FALSE(may_read_signature(Actor{"operator", 10, true, "", false, false, ""}, ""));
}

TEST(Policy, ActorOfAPrincipalCarriesTheUserIdentifier) {
  Principal principal;
  principal.role = Role{1, "r1", "operator", 10};
  principal.user = User{};
  principal.user->username = "ana";
  principal.user->identifier = "id-ana";
  const Actor actor = actor_of(principal);
  EXPECT_EQ(actor.user_id, "id-ana");
  EXPECT_EQ(actor.username, "ana");
  EXPECT_EQ(actor.level, 10);
  EXPECT_FALSE(actor.is_token);
}

}  // namespace
}  // namespace automation::policy
