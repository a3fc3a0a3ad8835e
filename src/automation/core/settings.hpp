#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "automation/core/signature_settings.hpp"

namespace automation {

// Audit capacity (IEC 62443-4-2 CR 2.9, CR 2.10; see AuditRetention).
struct AuditRetentionSettings {
  std::int64_t max_age_days = 0;  // prune events older than this; 0 = keep forever
  std::int64_t max_events = 0;    // the store's capacity: prune the oldest beyond it; 0 = none
  int warn_percent = 80;          // warn once the store holds this share of max_events
};

// Password strength and lifetime (IEC 62443-4-2 CR 1.5, CR 1.7 RE1; 21 CFR Part 11
// §11.300(b)). Every rule is off by default, as upstream PyAutomation has none.
struct PasswordPolicySettings {
  int min_character_classes = 0;    // of lower case, upper case, digit, other: 0-4
  bool dictionary_check = false;    // cracklib's checks (PasswordDictionary port)
  int history = 0;                  // the last N passwords (the current one included) refused
  std::int64_t max_age_days = 0;    // older passwords must be changed at login; 0 = never
  std::int64_t min_age_hours = 0;   // an owner's change sooner than this is refused; 0 = none
  bool change_on_first_login = false;  // set by someone else: the owner must change it
  // A reset of one's own password must prove the current one, as change_password does
  // (upstream asks for none: off by default).
  bool self_reset_requires_current_password = false;
};

inline constexpr int kMaxPasswordHistory = 24;

// One entry of AUTOMATION_LDAP_GROUP_ROLE_MAP: members of `group_dn` get `role`.
struct GroupRoleMapping {
  std::string group_dn;
  std::string role;
};

// Directory login (docs/directory-login.md); the connection settings are the adapter's.
struct DirectorySettings {
  bool enabled = false;  // AUTOMATION_LDAP_URLS set
  std::vector<GroupRoleMapping> group_roles;
  // Hours the hash of a directory password may stand in for an unreachable directory;
  // 0 = never (no hash is kept).
  std::int64_t offline_login_hours = 0;
};

// Multi-factor authentication (IEC 62443-4-2 CR 1.1 RE2). Off unless a user enrolls or the
// policy is set.
struct MfaSettings {
  // Roles with level <= this must use MFA (their sessions without it may only enroll);
  // nullopt = nobody must. The `system` account is exempt (the local break-glass account).
  std::optional<int> required_level;
  // Wrong codes per account within login_window_seconds before 429; a right code resets it.
  int max_failures = 5;
  int address_max_failures = 50;  // wrong codes per client address, across accounts
  std::string issuer = "automation";  // the name authenticator apps show the account under
};

// The core's part of the configuration (SPEC §5), filled in by the app from the config loader.
struct CoreSettings {
  std::int64_t session_ttl_seconds = 86400;  // 0 = sessions never expire
  // A session unused for this long ends (IEC 62443-4-2 CR 2.5); 0 = never. >= 60: the last
  // use is recorded with a resolution of kSessionUseResolution, so a session ends between
  // this and kSessionUseLag later (Session::is_idle), never sooner.
  std::int64_t session_idle_seconds = 0;
  bool allow_signup = true;
  std::size_t password_min_length = 8;
  int login_max_failures = 5;       // per (account, client address), within the window
  int account_max_failures = 100;   // per account across all addresses, within the window
  int address_max_failures = 50;    // per client address, within the window
  std::int64_t login_window_seconds = 900;
  // Anonymous sign-ups per client address within signup_window_seconds; 0 = unlimited.
  int signup_max_per_address = 10;
  std::int64_t signup_window_seconds = 3600;
  // Live sessions a user may hold (IEC 62443-4-2 CR 2.7); a login beyond it ends the
  // oldest. 0 = unlimited; 1 = a new login ends the previous one, as upstream does.
  int max_sessions_per_user = 0;
  // Shown before login by GET /api/notice (CR 1.12); "" = none.
  std::string system_use_notice;
  AuditRetentionSettings audit_retention;
  PasswordPolicySettings password_policy;
  SignatureSettings signatures;
  DirectorySettings directory;
  MfaSettings mfa;
};

}  // namespace automation
