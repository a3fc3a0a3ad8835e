#include "automation/core/policy.hpp"

#include "automation/core/mfa_model.hpp"
#include "automation/core/password_rules.hpp"
#include "automation/core/text.hpp"

namespace automation::policy {
namespace {

constexpr const char* kAdminOrSudo = "Access denied. Required roles: ['sudo', 'admin']";
// Upstream's answer to update_role by anyone but admin and sudo.
constexpr const char* kOnlyAdminAndSudoUpdateRoles =
    "Only admin and sudo users can update user roles";
constexpr const char* kSudoAccountsViaCli =
    "sudo accounts are managed with the command-line tool only";

bool is_self(const Actor& actor, const Target& target) {
  return !actor.is_token && iequals_ascii(actor.username, target.username);
}

bool is_privileged(const Actor& actor) {
  return is_sudo_role(actor.role_name) || is_admin_role(actor.role_name);
}

bool is_sudo_target(const Target& target) { return is_sudo_role(target.role_name, target.level); }

Decision decide_password(Operation operation, const Actor& actor, const Target& target) {
  // Upstream's words: PyAutomation's HMI shows them in its dialogs.
  const char* verb = operation == Operation::kChangePassword ? "change" : "reset";
  const bool self = is_self(actor, target);
  if (is_sudo_target(target) && !self) {
    return Decision::deny(ErrorCode::kRuleViolation, kSudoAccountsViaCli);
  }
  if (is_sudo_role(actor.role_name)) {
    if (self) {
      return Decision::deny(ErrorCode::kRuleViolation,
                            std::string("Sudo users cannot ") + verb + " their own password");
    }
    if (!is_admin_role(target.role_name)) {
      return Decision::deny(ErrorCode::kRuleViolation,
                            std::string("Sudo users can only ") + verb +
                                " passwords of admin users");
    }
    return Decision::allow();
  }
  if (is_admin_role(actor.role_name)) {
    if (target.level < actor.level) {
      return Decision::deny(ErrorCode::kRuleViolation,
                            std::string("Admin users cannot ") + verb +
                                " passwords of users with role level lower than " +
                                std::to_string(actor.level));
    }
    return Decision::allow();
  }
  if (actor.is_token) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "Third party tokens cannot act on their own account");
  }
  if (!self) {
    return Decision::deny(ErrorCode::kRuleViolation,
                          std::string("You can only ") + verb + " your own password");
  }
  return Decision::allow();
}

// Unlocking: admin and sudo, never on a sudo account (those are managed with the CLI), an
// admin only on users of its level or below. Unlike the password reset rule, sudo may act
// on any non-sudo user: nothing secret changes hands.
Decision decide_account_administration(const Actor& actor, const Target& target) {
  if (!is_privileged(actor)) return Decision::deny(ErrorCode::kPermissionDenied, kAdminOrSudo);
  if (is_sudo_target(target)) return Decision::deny(ErrorCode::kRuleViolation, kSudoAccountsViaCli);
  if (!is_sudo_role(actor.role_name) && target.level < actor.level) {
    return Decision::deny(ErrorCode::kRuleViolation,
                          "admin users cannot manage users with a higher role");
  }
  return Decision::allow();
}

// The password reset rule for administering another user's account (`what`, e.g. "manage
// sessions"): admin and sudo only; sudo on admin accounts only; an admin on users of its
// level or below (itself included); never a sudo account.
Decision decide_by_reset_rule(const Actor& actor, const Target& target, std::string_view what) {
  if (!is_privileged(actor)) return Decision::deny(ErrorCode::kPermissionDenied, kAdminOrSudo);
  if (is_sudo_target(target)) return Decision::deny(ErrorCode::kRuleViolation, kSudoAccountsViaCli);
  if (is_sudo_role(actor.role_name) && !is_admin_role(target.role_name)) {
    return Decision::deny(ErrorCode::kRuleViolation,
                          "sudo users can only " + std::string(what) + " of admin users");
  }
  if (is_admin_role(actor.role_name) && target.level < actor.level) {
    return Decision::deny(ErrorCode::kRuleViolation, "admin users cannot " + std::string(what) +
                                                         " of users with a higher role");
  }
  return Decision::allow();
}

// Listing and ending another user's sessions (IEC 62443-4-2 CR 2.6) follows the password
// reset rule, as issue #12 asks.
Decision decide_session_management(const Actor& actor, const Target& target) {
  return decide_by_reset_rule(actor, target, "manage sessions");
}

// Resetting another user's second factor (issue #24): admin and sudo by the password reset
// rule (sudo for admin users only, an admin for users of its level or below; never a sudo
// account), and never one's own: the owner removes it with password and code instead, so a
// stolen session key alone cannot take an account's second factor away.
Decision decide_mfa_reset(const Actor& actor, const Target& target) {
  if (is_privileged(actor) && is_self(actor, target)) {
    return Decision::deny(ErrorCode::kRuleViolation,
                          "remove your own second factor with DELETE /api/users/me/mfa");
  }
  return decide_by_reset_rule(actor, target, "reset the second factor");
}

Decision decide_edit(const Actor& actor, const Target& target) {
  if (is_self(actor, target)) return Decision::allow();
  if (!is_privileged(actor)) return Decision::deny(ErrorCode::kPermissionDenied, kAdminOrSudo);
  if (is_sudo_target(target)) return Decision::deny(ErrorCode::kPermissionDenied, kSudoAccountsViaCli);
  if (target.level < actor.level) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "Access denied. Required role level: <= " + std::to_string(target.level));
  }
  return Decision::allow();
}

Decision decide_delete(const Actor& actor, const Target& target) {
  if (!is_privileged(actor)) return Decision::deny(ErrorCode::kPermissionDenied, kAdminOrSudo);
  if (is_self(actor, target)) {
    return Decision::deny(ErrorCode::kRuleViolation, "you cannot delete your own account");
  }
  if (is_system_username(target.username)) {
    return Decision::deny(ErrorCode::kRuleViolation, "the system user cannot be deleted");
  }
  if (is_sudo_target(target)) return Decision::deny(ErrorCode::kPermissionDenied, kSudoAccountsViaCli);
  if (target.level < actor.level) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "Access denied. Required role level: <= " + std::to_string(target.level));
  }
  return Decision::allow();
}

// A session held back to change its password or to set up MFA may do nothing else.
Decision decide_session_unrestricted(const Actor& actor) {
  if (actor.must_change_password) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "You must change your own password before anything else",
                          std::string(kPasswordChangeRequired));
  }
  if (actor.must_enroll_mfa) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "You must set up multi-factor authentication before anything else",
                          std::string(kMfaEnrollmentRequired));
  }
  return Decision::allow();
}

}  // namespace

Status Decision::status() const {
  if (allowed) return {};
  Error error = Error::make(code, reason);
  error.type = type;
  return fail(std::move(error));
}

bool is_sudo_role(std::string_view role_name) { return iequals_ascii(role_name, "sudo"); }
bool is_sudo_role(std::string_view role_name, int level) {
  return level == 0 || is_sudo_role(role_name);
}
bool is_admin_role(std::string_view role_name) { return iequals_ascii(role_name, "admin"); }
bool is_auditor_role(std::string_view role_name) { return iequals_ascii(role_name, "auditor"); }
bool is_system_username(std::string_view username) { return iequals_ascii(username, "system"); }

Decision decide(Operation operation, const Actor& actor, const Target& target) {
  if (!(operation == Operation::kChangePassword && is_self(actor, target))) {
    if (auto session = decide_session_unrestricted(actor); !session.allowed) return session;
  }
  switch (operation) {
    case Operation::kChangePassword:
    case Operation::kResetPassword:
      return decide_password(operation, actor, target);
    case Operation::kEditUser:
      return decide_edit(actor, target);
    case Operation::kDeleteUser:
      return decide_delete(actor, target);
    case Operation::kUnlockAccount:
      return decide_account_administration(actor, target);
    case Operation::kManageSessions:
      return decide_session_management(actor, target);
    case Operation::kResetMfa:
      return decide_mfa_reset(actor, target);
  }
  return Decision::deny(ErrorCode::kInternal, "unknown operation");
}

Decision decide_manage_roles(const Actor& actor) {
  if (!is_privileged(actor)) {
    return Decision::deny(ErrorCode::kPermissionDenied, kOnlyAdminAndSudoUpdateRoles);
  }
  return Decision::allow();
}

bool may_see_user(const Actor& actor, const Target& target) {
  return !is_sudo_target(target) ||
         (!actor.is_token && is_sudo_role(actor.role_name, actor.level));
}

bool requires_current_password(const Actor& actor, const Target& target) {
  return is_self(actor, target);
}

Decision decide_update_role(const Actor& actor, const Target& target,
                            std::string_view new_role_name, int new_role_level) {
  if (auto manage = decide_manage_roles(actor); !manage.allowed) return manage;
  if (is_self(actor, target)) {
    return Decision::deny(ErrorCode::kRuleViolation, "you cannot change your own role");
  }
  if (is_sudo_target(target)) return Decision::deny(ErrorCode::kRuleViolation, kSudoAccountsViaCli);
  if (target.level < actor.level) {
    return Decision::deny(ErrorCode::kRuleViolation,
                          "You cannot change roles of users with role level lower than " +
                              std::to_string(actor.level));
  }
  if (is_sudo_role(new_role_name, new_role_level)) {
    return Decision::deny(ErrorCode::kRuleViolation, "the sudo role cannot be assigned");
  }
  if (new_role_level < actor.level) {
    return Decision::deny(ErrorCode::kRuleViolation,
                          "you cannot assign a role with a higher privilege than yours");
  }
  return Decision::allow();
}

Decision decide_signup_role(const std::optional<Actor>& actor, bool signup_allowed,
                            std::string_view role_name, int role_level) {
  const bool privileged = actor && is_privileged(*actor);
  if (!privileged) {
    if (!signup_allowed) return Decision::deny(ErrorCode::kPermissionDenied, "Signup is disabled");
    if (!iequals_ascii(role_name, "guest")) {
      return Decision::deny(ErrorCode::kPermissionDenied,
                            "Access denied. Only admin and sudo users can assign roles");
    }
    return Decision::allow();
  }
  if (is_sudo_role(role_name, role_level)) {
    return Decision::deny(ErrorCode::kPermissionDenied, "the sudo role cannot be assigned");
  }
  if (role_level < actor->level) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "Access denied. Required role level: <= " + std::to_string(role_level));
  }
  return Decision::allow();
}

Decision decide_add_role(const Actor& actor, long long level) {
  if (!is_privileged(actor)) return Decision::deny(ErrorCode::kPermissionDenied, kAdminOrSudo);
  if (level <= 0) {
    return Decision::deny(ErrorCode::kInvalidArgument, "level must be greater than 0");
  }
  if (level < actor.level) {
    return Decision::deny(ErrorCode::kInvalidArgument,
                          "level must be >= " + std::to_string(actor.level));
  }
  return Decision::allow();
}

Decision decide_tpt_role(std::string_view role_name, int role_level) {
  if (is_sudo_role(role_name, role_level)) {
    return Decision::deny(ErrorCode::kInvalidArgument,
                          "a third-party token cannot carry the sudo role");
  }
  return Decision::allow();
}

Decision decide_manage_tpts(const Actor& actor) {
  if (actor.is_token || !is_sudo_role(actor.role_name)) {
    return Decision::deny(ErrorCode::kPermissionDenied, "Access denied. Required roles: ['sudo']");
  }
  return Decision::allow();
}

Decision decide_read_audit(const Actor& actor) {
  if (is_privileged(actor) || is_auditor_role(actor.role_name)) return Decision::allow();
  return Decision::deny(ErrorCode::kPermissionDenied,
                        "Access denied. Required roles: ['sudo', 'admin', 'auditor']");
}

Decision decide_read_overview(const Actor& actor) { return decide_read_audit(actor); }

Decision decide_sign(const Actor& actor, int max_level) {
  if (actor.is_token || actor.user_id.empty()) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "Access denied. A signature is a person's: third-party tokens cannot "
                          "sign");
  }
  if (auto session = decide_session_unrestricted(actor); !session.allowed) return session;
  if (actor.level > max_level) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "Access denied. Required role level: <= " + std::to_string(max_level));
  }
  return Decision::allow();
}

Decision decide_countersign(const Actor& actor, std::string_view signer_id, int max_level) {
  if (auto sign = decide_sign(actor, max_level); !sign.allowed) return sign;
  if (actor.user_id == signer_id) {
    return Decision::deny(ErrorCode::kRuleViolation,
                          "the verifier must be another person than the signer",
                          "verifier_is_signer");
  }
  return Decision::allow();
}

bool may_read_all_signatures(const Actor& actor) {
  return is_privileged(actor) || is_auditor_role(actor.role_name);
}

bool may_read_signature(const Actor& actor, std::string_view signer_id) {
  if (may_read_all_signatures(actor)) return true;
  return !actor.is_token && !actor.user_id.empty() && actor.user_id == signer_id;
}

bool must_use_mfa(int role_level, std::string_view username, std::optional<int> required_level) {
  return required_level && role_level <= *required_level && !is_system_username(username);
}

Decision decide_own_account(const Actor& actor) {
  if (actor.is_token) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "Access denied. Third party tokens have no account");
  }
  return Decision::allow();
}

Decision decide_required_level(const Actor& actor, int required_level) {
  if (actor.level > required_level) {
    return Decision::deny(ErrorCode::kPermissionDenied,
                          "Access denied. Required role level: <= " +
                              std::to_string(required_level));
  }
  return Decision::allow();
}

}  // namespace automation::policy
