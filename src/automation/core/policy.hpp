#pragma once

// The authorization rules of SPEC §2 as pure functions: (actor, target, operation) -> Decision.
// No I/O, no state; tested as a full table in tests/unit/core/policy_test.cpp.
//
// Roles are recognised by name, case-insensitively ("sudo", "admin", "auditor"), as
// PyAutomation does; levels order privilege (lower = more).

#include <optional>
#include <string>
#include <string_view>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"

namespace automation::policy {

// The acting party: a user through a session, or a third-party token acting with a role.
struct Actor {
  std::string_view role_name;
  int level = 0;
  bool is_token = false;        // a TPT: has no account of its own
  std::string_view username;    // empty for a TPT
  // A session that must change its own password first (IEC 62443-4-2 CR 1.5, CR 1.7).
  bool must_change_password = false;
  // A session that must set up multi-factor authentication first (its role requires it).
  bool must_enroll_mfa = false;
  std::string_view user_id = {};  // the user's identifier; empty for a TPT
};

// The user acted on.
struct Target {
  std::string_view role_name;
  int level = 0;
  std::string_view username;
};

enum class Operation {
  kChangePassword,
  kResetPassword,
  kEditUser,
  kDeleteUser,
  kUnlockAccount,    // clear the failed-login count
  kManageSessions,   // list and end a user's sessions (the password reset rule)
  kResetMfa,         // remove another user's second factor (the password reset rule)
};

struct Decision {
  bool allowed = false;
  ErrorCode code = ErrorCode::kPermissionDenied;  // meaningful when !allowed
  std::string reason;
  std::string type;  // Error::type of the refusal, when it has one

  static Decision allow() { return Decision{true, ErrorCode::kInternal, {}, {}}; }
  static Decision deny(ErrorCode code, std::string reason, std::string type = {}) {
    return Decision{false, code, std::move(reason), std::move(type)};
  }
  // The decision as a Status for callers that propagate errors.
  Status status() const;
};

bool is_sudo_role(std::string_view role_name);
// The sudo role as assignments see it: named sudo, or holding the reserved level 0.
bool is_sudo_role(std::string_view role_name, int level);
bool is_admin_role(std::string_view role_name);
bool is_auditor_role(std::string_view role_name);
bool is_system_username(std::string_view username);

// Password change/reset, user edit and delete of `target` by `actor`. An actor that must
// change its own password may do only that. Sudo accounts are
// never changed over the API (beyond a sudo user editing its own profile).
Decision decide(Operation operation, const Actor& actor, const Target& target);

// May the actor change users' roles at all (admin and sudo; others are told so in upstream's
// words)? Checked before the target is looked up, so a caller without the right learns nothing
// about which users exist.
Decision decide_manage_roles(const Actor& actor);

// update_role: move `target` to the role (new_role_name, new_role_level).
Decision decide_update_role(const Actor& actor, const Target& target,
                            std::string_view new_role_name, int new_role_level);

// signup: the role a new account gets. actor is empty for anonymous signup.
Decision decide_signup_role(const std::optional<Actor>& actor, bool signup_allowed,
                            std::string_view role_name, int role_level);

// roles/add with the given level.
Decision decide_add_role(const Actor& actor, long long level);

// The role a third-party token may carry: any but sudo (sudo is the root of trust, held
// only by accounts a local administrator manages). Checked at creation and verification.
Decision decide_tpt_role(std::string_view role_name, int role_level);

// Sudo by session only: create, list and revoke third-party tokens.
Decision decide_manage_tpts(const Actor& actor);

// Audit log: admin, sudo or auditor.
Decision decide_read_audit(const Actor& actor);
// The service's overview figures (GET /api/overview) (sessions, logins, locked accounts, the audit chain and
// capacity): the audit log's readers, as the figures are the trail's and the throttle's.
Decision decide_read_overview(const Actor& actor);

// Sudo users are left out of every listing; one by one they are visible to sudo sessions
// only. To everyone else a sudo user is indistinguishable from one that does not exist.
bool may_see_user(const Actor& actor, const Target& target);

// change_password on one's own account must prove the current password.
bool requires_current_password(const Actor& actor, const Target& target);

// Whether a user of this role level must use multi-factor authentication under
// AUTOMATION_MFA_REQUIRED_LEVEL (`required_level`; nullopt: nobody must). The `system`
// account is exempt: it is the local break-glass account.
bool must_use_mfa(int role_level, std::string_view username, std::optional<int> required_level);

// Operations on "your own account" (logout, /me): sessions only, never a TPT.
Decision decide_own_account(const Actor& actor);

// A reverse proxy's per-application minimum (forward authentication): the actor's role must
// be at least as privileged as `required_level` (its level <= required_level).
Decision decide_required_level(const Actor& actor, int required_level);

// --- Electronic signatures (docs/signatures.md) ---

// Signing with a meaning that roles of level <= max_level may sign with: a person (never a
// TPT: a signature is a person's, §11.200), of such a role.
Decision decide_sign(const Actor& actor, int max_level);

// Countersigning the signature of `signer_id` (perform + verify, CR 2.1 RE4): the rule of
// decide_sign for the countersignature's meaning, by another person than the signer, compared
// by user identifier, so no renaming makes the signer their own verifier.
Decision decide_countersign(const Actor& actor, std::string_view signer_id, int max_level);

// Reading a signature of `signer_id`: its signer (by identifier), admin, sudo or auditor.
bool may_read_signature(const Actor& actor, std::string_view signer_id);

// Reading everyone's signatures (lists not limited to the caller's own): admin, sudo, auditor.
bool may_read_all_signatures(const Actor& actor);

}  // namespace automation::policy
