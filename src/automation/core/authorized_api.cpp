#include "automation/core/authorized_api.hpp"

#include <limits>
#include <utility>

#include "automation/core/audited_change.hpp"
#include "automation/core/authorized_api_audited.hpp"
#include "automation/core/password_rules.hpp"
#include "automation/core/mfa_audit.hpp"
#include "automation/core/policy.hpp"
#include "automation/core/policy_subjects.hpp"
#include "automation/core/text.hpp"
#include "automation/core/users_core.hpp"

namespace automation {
namespace {

std::unexpected<Error> password_change_first(PasswordChangeDemand demand) {
  Error error = Error::make(
      ErrorCode::kPermissionDenied,
      demand == PasswordChangeDemand::kExpired
          ? "Your password has expired: change it (POST /api/users/change_password) first"
          : "You must choose a new password (POST /api/users/change_password) first");
  error.type = std::string(kPasswordChangeRequired);
  return fail(std::move(error));
}

std::unexpected<Error> mfa_enrollment_first() {
  Error error = Error::make(
      ErrorCode::kPermissionDenied,
      "Your role requires multi-factor authentication: set it up (POST "
      "/api/users/me/mfa/totp) or log in again with your code first");
  error.type = std::string(kMfaEnrollmentRequired);
  return fail(std::move(error));
}

// The audit event of a login step: "mfa_challenge" when the password was right and the
// second factor is due, else "login" with the factors used (amr) and what the session may do.
AuditRecord login_audit_record(const Caller& caller, std::string_view name,
                               const Result<LoginResult>& result) {
  AuditOutcome outcome = audit_outcome_of(status_of(result));
  // A wrong password is a failed login, not a refusal by a rule.
  if (!result && result.error().code == ErrorCode::kPermissionDenied) outcome.outcome = "failure";
  if (!result) return AuditRecord{"login", "", std::string(name), caller.address, std::move(outcome)};
  // How the password was checked when not locally (the directory, and what it changed).
  const std::string note = result->audit_note.empty() ? "" : "; " + result->audit_note;
  if (result->second_factor_due()) {
    return AuditRecord{"mfa_challenge", result->user.username, std::string(name), caller.address,
                       {"success", "password right; second factor due" + note}};
  }
  outcome.reason = "amr=" + std::string(amr_of(result->second_factor)) + note;
  if (result->password_change != PasswordChangeDemand::kNone) {
    outcome.reason += result->password_change == PasswordChangeDemand::kExpired
                          ? "; password expired: only a password change is allowed"
                          : "; password set by someone else: only a password change is allowed";
  } else if (result->mfa_enrollment_required) {
    outcome.reason += "; the role requires MFA: only setting it up is allowed";
  }
  return AuditRecord{"login", result->user.username, std::string(name), caller.address,
                     std::move(outcome)};
}

// (page - 1) * limit, for page >= 1 and limit >= 1, without overflow: a product beyond
// INT64_MAX is beyond the end of any table, so the largest offset gives the same answer
// (no rows, the right total).
std::int64_t page_offset(std::int64_t page, std::int64_t limit) {
  constexpr std::int64_t kMaxOffset = std::numeric_limits<std::int64_t>::max();
  const std::int64_t pages_before = page - 1;
  if (pages_before > kMaxOffset / limit) return kMaxOffset;
  return pages_before * limit;
}

// A JWT has two dots; a session key is plain hex.
bool looks_like_jwt(std::string_view key) { return key.find('.') != std::string_view::npos; }

}  // namespace

AuthorizedApi::AuthorizedApi(UsersCore& core, ProcessFigures* figures)
    : core_(core), figures_(figures), signatures_(core) {}

AuditRecord AuthorizedApi::audit_record(const Caller& caller, std::string_view event,
                                        std::string_view target, const Status& status,
                                        bool target_hidden) const {
  // The client was told "not found"; the trail says what really happened.
  return AuditRecord{
      std::string(event), caller.principal ? caller.principal->audit_name() : std::string(),
      std::string(target), caller.address,
      target_hidden ? AuditOutcome{"denied", "sudo accounts are hidden from non-sudo callers"}
                    : audit_outcome_of(status)};
}

void AuthorizedApi::record(const Caller& caller, std::string_view event, std::string_view target,
                           const Status& status, bool target_hidden) {
  (void)core_.audit().record(audit_record(caller, event, target, status, target_hidden));
}

Result<User> AuthorizedApi::find_named_target(const Caller& caller, std::string_view username,
                                              bool* hidden) {
  auto user = find_target(caller, username, hidden);
  if (!user && user.error().code == ErrorCode::kNotFound) {
    return fail(ErrorCode::kInvalidArgument, std::move(user.error().message));
  }
  return user;
}

Result<User> AuthorizedApi::find_target(const Caller& caller, std::string_view username,
                                        bool* hidden) {
  auto user = core_.users().get_user(username);
  if (user && !policy::may_see_user(actor_of(*caller.principal), target_of(*user))) {
    if (hidden != nullptr) *hidden = true;
    return fail(ErrorCode::kNotFound, "User " + std::string(username) + " not found");
  }
  return user;
}

Result<Principal> AuthorizedApi::authenticate(std::string_view key, KeyPurpose purpose) {
  if (key.empty()) return key_missing();
  Principal principal;
  if (looks_like_jwt(key)) {
    auto token = core_.tpts().verify(key);
    if (!token) return fail(token.error());
    principal.kind = Principal::Kind::kThirdPartyToken;
    principal.role = std::move(token->role);
    principal.jti = std::move(token->jti);
    return principal;
  }
  auto session = core_.sessions().resolve(key);
  if (!session) return fail(session.error());
  const PasswordChangeDemand demand = session->session.password_change;
  if (demand != PasswordChangeDemand::kNone && purpose != KeyPurpose::kPasswordChangeOrLogout) {
    return password_change_first(demand);
  }
  principal.password_change = demand;
  // Decided here, per request, from the session and the user as they are now: a role change
  // or a policy change applies at once, without a new login.
  principal.mfa_enrollment_required =
      !session->session.mfa_verified &&
      policy::must_use_mfa(session->user.role.level, session->user.username,
                           core_.settings().mfa.required_level);
  if (principal.mfa_enrollment_required && purpose == KeyPurpose::kAnyOperation) {
    return mfa_enrollment_first();
  }
  principal.kind = Principal::Kind::kSession;
  principal.role = session->user.role;
  principal.session_digest = std::move(session->session.token_digest);
  principal.session_id = std::move(session->session.id);
  principal.session_created_at = session->session.created_at;
  principal.mfa_verified = session->session.mfa_verified;
  principal.user = std::move(session->user);
  return principal;
}

Result<LoginResult> AuthorizedApi::login(const Caller& caller, const Credentials& credentials) {
  const std::string name(credentials.login_name());
  // The new session (or pending second step) stands only if its login event is written.
  return core_.audited().run(
      [&]() -> Result<LoginResult> {
        auto login = core_.logins().login(credentials, caller.address);
        if (login && login->second_factor == SecondFactor::kRecoveryCode) {
          if (auto recorded = record_recovery_code_use(core_.audit(), login->user.username, caller.address, login->recovery_codes_left);
              !recorded) {
            return fail(recorded.error());
          }
        }
        return login;
      },
      [&](const Result<LoginResult>& result) { return login_audit_record(caller, name, result); });
}

Result<LoginResult> AuthorizedApi::login_second_factor(const Caller& caller,
                                                       std::string_view mfa_token,
                                                       std::string_view code) {
  std::string username;
  return core_.audited().run(
      [&]() -> Result<LoginResult> {
        auto login = core_.logins().complete(mfa_token, code, caller.address, &username);
        if (login && login->second_factor == SecondFactor::kRecoveryCode) {
          if (auto recorded =
                  record_recovery_code_use(core_.audit(), username, caller.address, login->recovery_codes_left);
              !recorded) {
            return fail(recorded.error());
          }
        }
        return login;
      },
      [&](const Result<LoginResult>& result) {
        return login_audit_record(caller, username.empty() ? "mfa_token" : username, result);
      });
}

bool AuthorizedApi::login_names_an_account(const Credentials& credentials) {
  return core_.sessions().names_an_account(credentials);
}

Result<bool> AuthorizedApi::credentials_are_valid(const Caller& caller,
                                                  const Credentials& credentials) {
  if (!caller.principal) return key_missing();
  auto user = core_.sessions().verify_credentials(credentials, caller.address);
  if (user) return true;
  if (user.error().code == ErrorCode::kPermissionDenied) return false;
  return fail(user.error());
}

Result<User> AuthorizedApi::signup(const Caller& caller, const SignupRequest& request) {
  // Field validation first (cheap, and a 400 names every bad field before any rule applies).
  if (auto valid = core_.users().validate_signup(request); !valid) return fail(valid.error());
  // Sudo is not refused here: the policy answers that, with the caller's context.
  auto role = core_.users().signup_role(request, /*allow_sudo=*/true);
  if (!role) return fail(role.error());
  std::optional<policy::Actor> actor;
  if (caller.principal) actor = actor_of(*caller.principal);
  const auto decision = policy::decide_signup_role(actor, core_.settings().allow_signup,
                                                   role->name, role->level);
  if (!decision.allowed) {
    record(caller, "signup", request.username + " as " + role->name, decision.status());
    return fail(decision.status().error());
  }
  // Each costs a hash: anonymous ones are limited per client address (audited once per
  // window with a count, as every repeated throttle refusal is).
  if (!caller.principal) {
    if (auto allowed = core_.signup_throttle().begin_signup(caller.address); !allowed) {
      record(caller, "signup", request.username, allowed);
      return fail(allowed.error());
    }
  }
  // Created by an admin or sudo: the owner may have to choose their own password.
  return audited(caller, "signup", request.username, /*hidden=*/false, [&] {
    return core_.users().create_user(
        request, *role, caller.principal ? PasswordSetter::kSomeoneElse : PasswordSetter::kOwner);
  });
}

Status AuthorizedApi::change_password(const Caller& caller, const PasswordChange& change) {
  if (!caller.principal) return key_missing();
  bool hidden = false;
  return audited(caller, "password_change", change.target_username, hidden, [&]() -> Status {
    auto target = find_named_target(caller, change.target_username, &hidden);
    if (!target) return fail(target.error());
    const auto actor = actor_of(*caller.principal);
    const auto decision = policy::decide(policy::Operation::kChangePassword, actor,
                                         target_of(*target));
    if (!decision.allowed) return decision.status();
    if (policy::requires_current_password(actor, target_of(*target)) &&
        !change.current_password) {
      return fail(Error::invalid("current_password",
                                 "is required when changing your own password",
                                 "Current password is required when changing your own password"));
    }
    // A current_password that is given must be right whoever the caller is (as upstream checks
    // it): an admin who types a wrong one for someone else changes nothing.
    const bool own = policy::requires_current_password(actor, target_of(*target));
    return core_.passwords().change_password(
        target->username, change.new_password, change.current_password,
        caller.principal->session_digest, caller.address,
        own ? PasswordSetter::kOwner : PasswordSetter::kSomeoneElse);
  });
}

Status AuthorizedApi::reset_password(const Caller& caller, std::string_view target_username,
                                     std::string_view new_password,
                                     const std::optional<std::string>& current_password) {
  if (!caller.principal) return key_missing();
  bool hidden = false;
  return audited(caller, "password_reset", target_username, hidden, [&]() -> Status {
    auto target = find_named_target(caller, target_username, &hidden);
    if (!target) return fail(target.error());
    const auto actor = actor_of(*caller.principal);
    const auto decision =
        policy::decide(policy::Operation::kResetPassword, actor, target_of(*target));
    if (!decision.allowed) return decision.status();
    if (!policy::requires_current_password(actor, target_of(*target))) {
      return core_.passwords().reset_password(target->username, new_password,
                                              caller.principal->session_digest);
    }
    // One's own password: the owner's change, whichever route sets it, so the minimum age,
    // the history and the password throttle hold as for change_password.
    if (core_.settings().password_policy.self_reset_requires_current_password &&
        !current_password) {
      return fail(Error::invalid("current_password",
                                 "is required when resetting your own password",
                                 "Current password is required when resetting your own password"));
    }
    return core_.passwords().change_password(target->username, new_password, current_password,
                                             caller.principal->session_digest, caller.address,
                                             PasswordSetter::kOwner);
  });
}

Result<std::int64_t> AuthorizedApi::unlock_user(const Caller& caller, std::string_view username) {
  if (!caller.principal) return key_missing();
  bool hidden = false;
  return audited(caller, "account_unlock", username, hidden, [&]() -> Result<std::int64_t> {
    auto target = find_target(caller, username, &hidden);
    if (!target) return fail(target.error());
    const auto decision = policy::decide(policy::Operation::kUnlockAccount,
                                         actor_of(*caller.principal), target_of(*target));
    if (!decision.allowed) return fail(decision.status().error());
    return core_.unlock_account(*target);
  });
}

Result<User> AuthorizedApi::session_owner(const Caller& caller, std::string_view username,
                                         bool* hidden) {
  auto target = find_target(caller, username, hidden);
  if (!target) return fail(target.error());
  const auto decision = policy::decide(policy::Operation::kManageSessions,
                                       actor_of(*caller.principal), target_of(*target));
  if (!decision.allowed) return fail(decision.status().error());
  return target;
}

Result<std::vector<SessionSummary>> AuthorizedApi::list_user_sessions(const Caller& caller,
                                                                      std::string_view username) {
  if (!caller.principal) return key_missing();
  auto owner = session_owner(caller, username);
  if (!owner) return fail(owner.error());
  return core_.session_admin().list_sessions(*owner);
}

Result<SessionSummary> AuthorizedApi::revoke_user_session(const Caller& caller,
                                                          std::string_view username,
                                                          std::string_view session_id) {
  if (!caller.principal) return key_missing();
  bool hidden = false;
  const std::string target = std::string(username) + " session " + std::string(session_id);
  return audited(caller, "session_revoke", target, hidden, [&]() -> Result<SessionSummary> {
    auto owner = session_owner(caller, username, &hidden);
    if (!owner) return fail(owner.error());
    return core_.session_admin().revoke_session(*owner, session_id);
  });
}

Result<std::size_t> AuthorizedApi::revoke_user_sessions(const Caller& caller,
                                                        std::string_view username) {
  if (!caller.principal) return key_missing();
  bool hidden = false;
  return audited(caller, "session_revoke_all", username, hidden, [&]() -> Result<std::size_t> {
    auto owner = session_owner(caller, username, &hidden);
    if (!owner) return fail(owner.error());
    return core_.session_admin().revoke_all_sessions(*owner);
  });
}

Status AuthorizedApi::logout(const Caller& caller) {
  if (!caller.principal) return key_missing();
  return audited(caller, "logout", "", /*hidden=*/false, [&] {
    auto status = policy::decide_own_account(actor_of(*caller.principal)).status();
    if (status) status = core_.sessions().logout(caller.principal->session_digest);
    return status;
  });
}

Status AuthorizedApi::logout_all(const Caller& caller) {
  if (!caller.principal) return key_missing();
  return audited(caller, "logout_all", "", /*hidden=*/false, [&] {
    auto status = policy::decide_own_account(actor_of(*caller.principal)).status();
    if (status) status = core_.sessions().logout_all(caller.principal->user->id);
    return status;
  });
}

Result<User> AuthorizedApi::me(const Caller& caller) {
  if (!caller.principal) return key_missing();
  if (auto own = policy::decide_own_account(actor_of(*caller.principal)).status(); !own) {
    return fail(own.error());
  }
  return *caller.principal->user;
}

Result<UserPage> AuthorizedApi::list_users(const Caller& caller) {
  if (!caller.principal) return key_missing();
  return core_.users().list_users();
}

Result<std::optional<std::int64_t>> AuthorizedApi::user_list_version(const Caller& caller) {
  if (!caller.principal) return key_missing();
  return core_.users().list_version();
}

Result<UserPage> AuthorizedApi::list_users_page(const Caller& caller, std::int64_t page,
                                                std::int64_t limit, std::string_view search) {
  if (!caller.principal) return key_missing();
  // Upstream's words; page first, as upstream checks it first.
  if (page < 1) {
    return fail(
        Error::invalid("page", "must be greater than 0", "Page number must be greater than 0"));
  }
  if (limit < 1) {
    return fail(Error::invalid("limit", "must be greater than 0", "Limit must be greater than 0"));
  }
  // No upper bound: the HMI asks for limit=10000 to get every user on one page.
  if (!search.empty()) return core_.users().search_users(search, page_offset(page, limit), limit);
  return core_.users().list_users(page_offset(page, limit), limit);
}

Result<User> AuthorizedApi::get_user(const Caller& caller, std::string_view username) {
  if (!caller.principal) return key_missing();
  return find_target(caller, username);
}

Result<User> AuthorizedApi::edit_user(const Caller& caller, std::string_view username,
                                      const UserEdit& edit) {
  if (!caller.principal) return key_missing();
  bool hidden = false;
  return audited(caller, "user_edit", username, hidden, [&]() -> Result<User> {
    auto target = find_target(caller, username, &hidden);
    if (!target) return target;
    const auto decision = policy::decide(policy::Operation::kEditUser,
                                         actor_of(*caller.principal), target_of(*target));
    if (!decision.allowed) return fail(decision.status().error());
    return core_.users().edit_user(target->username, edit);
  });
}

Status AuthorizedApi::delete_user(const Caller& caller, std::string_view username) {
  if (!caller.principal) return key_missing();
  bool hidden = false;
  return audited(caller, "user_delete", username, hidden, [&]() -> Status {
    auto target = find_target(caller, username, &hidden);
    if (!target) return fail(target.error());
    const auto decision = policy::decide(policy::Operation::kDeleteUser,
                                         actor_of(*caller.principal), target_of(*target));
    if (!decision.allowed) return decision.status();
    return core_.users().delete_user(target->username);
  });
}

Status AuthorizedApi::update_role(const Caller& caller, std::string_view target_username,
                                  std::string_view new_role_name) {
  if (!caller.principal) return key_missing();
  bool hidden = false;
  const std::string change = std::string(target_username) + " -> " + std::string(new_role_name);
  return audited(caller, "role_change", change, hidden, [&]() -> Status {
    const auto actor = actor_of(*caller.principal);
    if (auto allowed = policy::decide_manage_roles(actor).status(); !allowed) return allowed;
    auto target = find_named_target(caller, target_username, &hidden);
    if (!target) return fail(target.error());
    auto role = core_.roles().find_role(new_role_name);
    if (!role) {
      if (role.error().code != ErrorCode::kNotFound) return fail(role.error());
      return fail(Error::invalid("new_role_name", "unknown role",
                                 "Role " + std::string(new_role_name) + " not found"));
    }
    const auto decision = policy::decide_update_role(actor, target_of(*target), role->name,
                                                     role->level);
    if (!decision.allowed) return decision.status();
    return core_.users().update_user_role(target->username, role->name);
  });
}

Result<TptCreated> AuthorizedApi::create_tpt(const Caller& caller, const TptRequest& request) {
  if (!caller.principal) return key_missing();
  if (auto allowed = policy::decide_manage_tpts(actor_of(*caller.principal)).status(); !allowed) {
    record(caller, "tpt_create", request.role_name, allowed);
    return fail(allowed.error());
  }
  // The event names the token it created (tpt:<jti>), or the role asked for.
  return core_.audited().run(
      [&] { return core_.tpts().create_tpt(request, caller.principal->audit_name()); },
      [&](const Result<TptCreated>& created) {
        return audit_record(caller, "tpt_create",
                            created ? "tpt:" + created->record.jti : request.role_name,
                            status_of(created), /*target_hidden=*/false);
      });
}

Result<std::vector<TptRecord>> AuthorizedApi::list_tpts(const Caller& caller) {
  if (!caller.principal) return key_missing();
  if (auto allowed = policy::decide_manage_tpts(actor_of(*caller.principal)).status(); !allowed) {
    record(caller, "tpt_list", "", allowed);  // reads are audited when refused only
    return fail(allowed.error());
  }
  return core_.tpts().list_tpts();
}

Status AuthorizedApi::revoke_tpt(const Caller& caller, std::string_view jti) {
  if (!caller.principal) return key_missing();
  return audited(caller, "tpt_revoke", "tpt:" + std::string(jti), /*hidden=*/false, [&] {
    auto status = policy::decide_manage_tpts(actor_of(*caller.principal)).status();
    if (status) status = core_.tpts().revoke_tpt(jti);
    return status;
  });
}

Result<std::vector<Role>> AuthorizedApi::list_roles(const Caller& caller) {
  if (!caller.principal) return key_missing();
  return core_.roles().list_visible_roles();
}

Result<Role> AuthorizedApi::add_role(const Caller& caller, std::string_view name,
                                     std::int64_t level) {
  if (!caller.principal) return key_missing();
  const auto decision = policy::decide_add_role(actor_of(*caller.principal), level);
  if (!decision.allowed) {
    // The trail gets the reason once; the client also gets it as the field's error.
    record(caller, "role_add", name, decision.status());
    Error error = decision.status().error();
    if (error.code == ErrorCode::kInvalidArgument) error.fields.emplace("level", decision.reason);
    return fail(std::move(error));
  }
  return audited(caller, "role_add", name, /*hidden=*/false,
                 [&] { return core_.roles().set_role(name, level); });
}

Result<std::vector<AuditEvent>> AuthorizedApi::audit(const Caller& caller,
                                                     const AuditEventFilter& filter) {
  if (!caller.principal) return key_missing();
  if (auto allowed = policy::decide_read_audit(actor_of(*caller.principal)).status(); !allowed) {
    record(caller, "audit_read", "", allowed);  // reads are audited when refused only
    return fail(allowed.error());
  }
  return core_.audit().recent(filter);
}

Result<std::vector<ExportedAuditEvent>> AuthorizedApi::export_audit(const Caller& caller,
                                                                     std::int64_t after_seq,
                                                                     int limit) {
  if (!caller.principal) return key_missing();
  auto allowed = policy::decide_read_audit(actor_of(*caller.principal)).status();
  if (!allowed) {
    record(caller, "audit_export", "", allowed);
    return fail(allowed.error());
  }
  auto exported = core_.audit().export_chain(after_seq, limit);
  record(caller, "audit_export", "", status_of(exported));
  return exported;
}

const std::string& AuthorizedApi::system_use_notice() const {
  return core_.settings().system_use_notice;
}

Status AuthorizedApi::health() { return core_.settings_store().ping(); }

}  // namespace automation
