// AuthorizedApi's multi-factor authentication operations (README "Security controls",
// docs/mfa.md): a user's own enrollment, status, removal and recovery codes, and an
// administrator's reset. The login steps are in authorized_api.cpp with the login.

#include <utility>

#include "automation/core/authorized_api_audited.hpp"
#include "automation/core/mfa_audit.hpp"
#include "automation/core/policy.hpp"
#include "automation/core/policy_subjects.hpp"
#include "automation/core/users_core.hpp"

namespace automation {

namespace {

// A wrong code where a session asks (not a login): the request is valid, the code is not.
Error as_rule_violation(Error error) {
  if (error.code == ErrorCode::kUnauthenticated) error.code = ErrorCode::kRuleViolation;
  return error;
}

}  // namespace

Result<User> AuthorizedApi::own_mfa_account(const Caller& caller, MfaService** mfa) {
  if (!caller.principal) return fail(ErrorCode::kUnauthenticated, "Key is missing.");
  if (auto own = policy::decide_own_account(actor_of(*caller.principal)).status(); !own) {
    return fail(own.error());
  }
  *mfa = core_.mfa();
  if (*mfa == nullptr) {
    return fail(ErrorCode::kUnavailable, "Multi-factor authentication is not available");
  }
  // Read again rather than taken from the session: the password checks need the current hash.
  return core_.users().get_user(caller.principal->user->username);
}

Status AuthorizedApi::check_own_password(const User& user, std::string_view password,
                                         std::string_view address) {
  DirectoryLogin* directory = core_.directory_login();
  auto managed = directory != nullptr ? directory->decides_for(user) : Result<bool>(false);
  if (!managed) return fail(managed.error());
  if (!*managed) return core_.passwords().verify_current_password(user, password, address);
  // A directory user's row holds no password: the directory checks it, as at login (and
  // throttled as a login); a refusal is a wrong password here too.
  auto checked = core_.sessions().verify_credentials(
      Credentials{user.username, std::nullopt, std::string(password)}, address);
  if (checked) return {};
  if (checked.error().code == ErrorCode::kPermissionDenied) {
    return fail(ErrorCode::kRuleViolation, "Current password is incorrect");
  }
  return fail(checked.error());
}

Status AuthorizedApi::check_password_and_code(const Caller& caller, MfaService& mfa,
                                              const User& user, std::string_view password,
                                              std::string_view code) {
  // The password first: the code's own limit is reachable only by someone who knows it.
  if (auto right = check_own_password(user, password, caller.address); !right) {
    Error error = right.error();
    if (error.code == ErrorCode::kRuleViolation) error.message = "Invalid password";
    return fail(std::move(error));
  }
  auto check = mfa.verify(user, code, caller.address);
  if (!check) return fail(as_rule_violation(check.error()));
  if (check->factor == SecondFactor::kRecoveryCode) {
    return record_recovery_code_use(core_.audit(), user.username, caller.address, check->recovery_codes_left);
  }
  return {};
}

Result<MfaStatus> AuthorizedApi::mfa_status(const Caller& caller) {
  MfaService* mfa = nullptr;
  auto user = own_mfa_account(caller, &mfa);
  if (!user) return fail(user.error());
  return mfa->status(*user);
}

Result<TotpEnrollment> AuthorizedApi::begin_totp_enrollment(const Caller& caller) {
  MfaService* mfa = nullptr;
  auto user = own_mfa_account(caller, &mfa);
  if (!user) return fail(user.error());
  return audited(caller, "mfa_enroll", user->username, /*hidden=*/false,
                 [&] { return mfa->begin_totp_enrollment(*user); });
}

Result<RecoveryCodes> AuthorizedApi::confirm_totp_enrollment(const Caller& caller,
                                                             std::string_view code) {
  MfaService* mfa = nullptr;
  auto user = own_mfa_account(caller, &mfa);
  if (!user) return fail(user.error());
  return audited(caller, "mfa_confirm", user->username, /*hidden=*/false, [&] {
    return mfa->confirm_totp_enrollment(*user, code, caller.principal->session_digest);
  });
}

Status AuthorizedApi::remove_mfa(const Caller& caller, std::string_view password,
                                 std::string_view code) {
  MfaService* mfa = nullptr;
  auto user = own_mfa_account(caller, &mfa);
  if (!user) return fail(user.error());
  return audited(caller, "mfa_remove", user->username, /*hidden=*/false, [&]() -> Status {
    if (auto checked = check_password_and_code(caller, *mfa, *user, password, code); !checked) {
      return checked;
    }
    return status_of(mfa->remove(*user));
  });
}

Result<RecoveryCodes> AuthorizedApi::regenerate_recovery_codes(const Caller& caller,
                                                               std::string_view password,
                                                               std::string_view code) {
  MfaService* mfa = nullptr;
  auto user = own_mfa_account(caller, &mfa);
  if (!user) return fail(user.error());
  return audited(caller, "mfa_recovery_codes", user->username, /*hidden=*/false,
                 [&]() -> Result<RecoveryCodes> {
                   if (auto checked = check_password_and_code(caller, *mfa, *user, password, code);
                       !checked) {
                     return fail(checked.error());
                   }
                   return mfa->regenerate_recovery_codes(*user);
                 });
}

Result<bool> AuthorizedApi::reset_mfa(const Caller& caller, std::string_view username) {
  if (!caller.principal) return fail(ErrorCode::kUnauthenticated, "Key is missing.");
  bool hidden = false;
  return audited(caller, "mfa_reset", username, hidden, [&]() -> Result<bool> {
    auto target = find_target(caller, username, &hidden);
    if (!target) return fail(target.error());
    const auto decision = policy::decide(policy::Operation::kResetMfa,
                                         actor_of(*caller.principal), target_of(*target));
    if (!decision.allowed) return fail(decision.status().error());
    MfaService* mfa = core_.mfa();
    if (mfa == nullptr) {
      return fail(ErrorCode::kUnavailable, "Multi-factor authentication is not available");
    }
    return mfa->remove(*target);
  });
}

}  // namespace automation
