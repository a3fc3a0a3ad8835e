#pragma once

// The operations of the HTTP API, each one authorized with the rules of SPEC §2 (core/policy)
// for the calling principal, then performed by the core services and audited.
// Transport-agnostic: the HTTP layer only parses, calls one method and renders the result.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "automation/core/audit_log.hpp"
#include "automation/core/error.hpp"
#include "automation/core/mfa_model.hpp"
#include "automation/core/model.hpp"
#include "automation/core/password_rules.hpp"
#include "automation/core/policy_actions.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/requests.hpp"
#include "automation/core/service_overview.hpp"
#include "automation/core/signature_api.hpp"

namespace automation {

class MfaService;
class UsersCore;

// What a key is presented for. A session that must change its password (expired, or set by
// someone else) may only change it and log out: every other use is refused here, in the one
// place keys are resolved.
enum class KeyPurpose {
  kAnyOperation,
  kPasswordChangeOrLogout,
  // Setting up one's own multi-factor authentication: allowed to a session whose role must
  // use MFA and that has none yet (Principal::mfa_enrollment_required), and to every other
  // session; not before a demanded password change.
  kMfaEnrollment,
};

class AuthorizedApi {
 public:
  // `figures`: what the process keeps (live sessions, audit capacity) for service_overview;
  // null leaves those figures out.
  explicit AuthorizedApi(UsersCore& core, ProcessFigures* figures = nullptr);

  // Resolves an API key (session token or TPT) to a principal. Never runs a KDF.
  // kUnauthenticated "Key is missing." for an empty key, "Invalid token" for unknown, expired,
  // revoked or malformed keys. A session with a password-change demand, for any other
  // purpose than kPasswordChangeOrLogout: kPermissionDenied, type "password_change_required".
  // A session that must set up MFA first, for kAnyOperation: kPermissionDenied, type
  // "mfa_enrollment_required".
  Result<Principal> authenticate(std::string_view key,
                                 KeyPurpose purpose = KeyPurpose::kAnyOperation);

  // --- KDF-bound operations (the HTTP layer runs these on the hashing pool) ---
  // Failures: kPermissionDenied "Invalid credentials" (unknown user and wrong password alike),
  // kThrottled with retry_after_seconds. An account with MFA: see LoginService::login (an
  // mfa_token instead of a session, unless credentials.otp was right). An anonymous signup
  // beyond its address's limit (SignupThrottle) is kThrottled too.
  // change_password, reset_password and update_role answer a target that does not exist (or
  // is a sudo user the caller may not see) with kInvalidArgument "User <name> not found".
  Result<LoginResult> login(const Caller& caller, const Credentials& credentials);
  Result<bool> credentials_are_valid(const Caller& caller, const Credentials& credentials);
  // Whether a login's name is an existing account's (no KDF, no throttle, nothing recorded):
  // for scheduling password work, so guesses against unknown names cannot take every worker.
  bool login_names_an_account(const Credentials& credentials);
  Result<User> signup(const Caller& caller, const SignupRequest& request);
  Status change_password(const Caller& caller, const PasswordChange& change);
  // A reset of one's own password is the owner's change (minimum age, history, throttle as
  // change_password); with self_reset_requires_current_password it needs current_password,
  // checked as change_password checks it. Someone else's reset ignores current_password.
  Status reset_password(const Caller& caller, std::string_view target_username,
                        std::string_view new_password,
                        const std::optional<std::string>& current_password = std::nullopt);

  // --- multi-factor authentication (authorized_api_mfa.cpp) ---
  // The second step of a login (LoginService::complete); audited as the login.
  Result<LoginResult> login_second_factor(const Caller& caller, std::string_view mfa_token,
                                          std::string_view code);
  // The caller's own MFA (sessions only; a TPT is kPermissionDenied). kUnavailable when the
  // core runs without MFA.
  Result<MfaStatus> mfa_status(const Caller& caller);
  Result<TotpEnrollment> begin_totp_enrollment(const Caller& caller);
  // Confirms with a code; this session counts as verified by a second factor from then on.
  Result<RecoveryCodes> confirm_totp_enrollment(const Caller& caller, std::string_view code);
  // Both need the caller's password (checked and throttled like a login: kRuleViolation
  // "Invalid password") and a code (TOTP or recovery, throttled as at login; wrong:
  // kRuleViolation invalid_mfa_code).
  Status remove_mfa(const Caller& caller, std::string_view password, std::string_view code);
  Result<RecoveryCodes> regenerate_recovery_codes(const Caller& caller, std::string_view password,
                                                  std::string_view code);
  // An administrator removes another user's MFA (policy kResetMfa); true when it was enabled.
  Result<bool> reset_mfa(const Caller& caller, std::string_view username);

  // --- key-checked operations ---
  Status logout(const Caller& caller);
  Status logout_all(const Caller& caller);
  Result<User> me(const Caller& caller);
  // Every user but sudo ones, with the listing version they were read at.
  Result<UserPage> list_users(const Caller& caller);
  // UserStore::list_version(): equal versions, equal lists (for reusing a rendered list).
  Result<std::optional<std::int64_t>> user_list_version(const Caller& caller);
  // page >= 1, limit >= 1 (kInvalidArgument otherwise), however large: a page past the end
  // is empty and still carries the total.
  // With a non-empty `search`, only the users whose username, email, name or lastname
  // contains it, case-insensitively (UserService::search_users).
  Result<UserPage> list_users_page(const Caller& caller, std::int64_t page, std::int64_t limit,
                                   std::string_view search = {});
  Result<User> get_user(const Caller& caller, std::string_view username);
  Result<User> edit_user(const Caller& caller, std::string_view username, const UserEdit& edit);
  Status delete_user(const Caller& caller, std::string_view username);
  // Clears a throttled account's failure count (admin/sudo; policy kUnlockAccount).
  Result<std::int64_t> unlock_user(const Caller& caller, std::string_view username);
  // A user's live sessions (created, last used, client address; never the key), and ending
  // one or all of them (IEC 62443-4-2 CR 2.6): policy kManageSessions. Ending is audited as
  // session_revoke / session_revoke_all. Another user's session id is kNotFound.
  Result<std::vector<SessionSummary>> list_user_sessions(const Caller& caller,
                                                         std::string_view username);
  Result<SessionSummary> revoke_user_session(const Caller& caller, std::string_view username,
                                             std::string_view session_id);
  Result<std::size_t> revoke_user_sessions(const Caller& caller, std::string_view username);
  // The caller's own account (authorized_api_own_account.cpp): the password rules (any key),
  // and the caller's sessions, listed and ended one by one (sessions only: policy
  // decide_own_account; ending is audited as session_revoke). Another user's session id is
  // kNotFound.
  Result<PasswordRules> password_rules(const Caller& caller) const;
  Result<std::vector<SessionSummary>> list_own_sessions(const Caller& caller);
  Result<SessionSummary> revoke_own_session(const Caller& caller, std::string_view session_id);
  // What the caller may do to `username`, and without a target (authorized_api_actions.cpp):
  // the policy's own decisions, for a console to offer only those. A user the caller may not
  // see is kNotFound, as everywhere.
  Result<policy::TargetActions> target_actions(const Caller& caller, std::string_view username);
  Result<policy::ActorActions> actor_actions(const Caller& caller);
  Status update_role(const Caller& caller, std::string_view target_username,
                     std::string_view new_role_name);
  Result<TptCreated> create_tpt(const Caller& caller, const TptRequest& request);
  Result<std::vector<TptRecord>> list_tpts(const Caller& caller);
  Status revoke_tpt(const Caller& caller, std::string_view jti);
  Result<std::vector<Role>> list_roles(const Caller& caller);
  Result<Role> add_role(const Caller& caller, std::string_view name, std::int64_t level);
  Result<std::vector<AuditEvent>> audit(const Caller& caller, const AuditEventFilter& filter);
  // The sealed trail for an auditor (same roles as audit()); the export itself is audited.
  Result<std::vector<ExportedAuditEvent>> export_audit(const Caller& caller,
                                                       std::int64_t after_seq, int limit);
  // The overview figures (authorized_api_overview.cpp): policy decide_read_overview; reads
  // are audited when refused only, as audit() is.
  Result<ServiceOverview> service_overview(const Caller& caller);
  // Walks the audit chain (ProcessFigures) for the audit log's readers; audited as
  // audit_verify (outcome failure when the chain is broken, target "seq <N>").
  Result<AuditChainReport> verify_audit_chain(const Caller& caller);
  // The system use notification (public; "" when none is configured).
  const std::string& system_use_notice() const;
  // Database round trip for GET /api/health.
  Status health();
  // Electronic signatures (docs/signatures.md).
  SignatureApi& signatures() { return signatures_; }

 private:
  // Appends the audit event of a security operation: success, or failure/denied/throttled
  // with the reason (SPEC §3 "Audit log"); the actor is the caller's principal. A target
  // hidden from the caller is recorded as the denial it is.
  void record(const Caller& caller, std::string_view event, std::string_view target,
              const Status& status, bool target_hidden = false);
  AuditRecord audit_record(const Caller& caller, std::string_view event, std::string_view target,
                           const Status& status, bool target_hidden) const;
  // Runs a security change so that it stands only if its audit event is written
  // (AuditedChanges); a target the change found hidden (*hidden, read when the change ends)
  // is recorded as the denial it is.
  template <typename Change>
  auto audited(const Caller& caller, std::string_view event, std::string_view target,
               const bool& hidden, Change&& change) -> std::invoke_result_t<Change&>;
  // The user `username` as the caller may see it: a sudo user is kNotFound to anyone but a
  // sudo session, exactly like a user that does not exist (SPEC §2); *hidden says so.
  Result<User> find_target(const Caller& caller, std::string_view username,
                           bool* hidden = nullptr);
  // The same for a user named in a request body (change_password, reset_password,
  // update_role): unknown is 400 "User <name> not found" there, as upstream answers.
  Result<User> find_named_target(const Caller& caller, std::string_view username,
                                 bool* hidden = nullptr);
  // The caller's own account for an MFA operation, and the MFA service: kPermissionDenied for
  // a TPT, kUnavailable without MFA.
  Result<User> own_mfa_account(const Caller& caller, MfaService** mfa);
  // The caller's own password, for a change that needs it besides the session: the local hash,
  // or for a directory user the directory. kRuleViolation when wrong; throttled.
  Status check_own_password(const User& user, std::string_view password,
                            std::string_view address);
  // The caller's password and then a second factor, both throttled (remove_mfa and
  // regenerate_recovery_codes).
  Status check_password_and_code(const Caller& caller, MfaService& mfa, const User& user,
                                 std::string_view password, std::string_view code);
  // The user whose sessions the caller wants to manage, once policy kManageSessions allows.
  Result<User> session_owner(const Caller& caller, std::string_view username,
                             bool* hidden = nullptr);

  UsersCore& core_;
  ProcessFigures* figures_;
  SignatureApi signatures_;
};

}  // namespace automation
