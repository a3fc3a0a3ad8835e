#include "automation/core/password_service.hpp"

#include <algorithm>
#include <string>

namespace automation {

Status PasswordService::change_password(std::string_view target_username,
                                        std::string_view new_password,
                                        const std::optional<std::string>& current_password,
                                        std::string_view keep_session_digest,
                                        std::string_view address, PasswordSetter setter) {
  if (auto strong = strength_.check(new_password, target_username, "new_password"); !strong) {
    return strong;
  }
  auto user = users_.get_user(target_username);
  if (!user) return fail(user.error());
  if (auto local = check_not_directory_managed(*user); !local) return local;
  if (current_password) {
    if (auto right = verify_current_password(*user, *current_password, address); !right) {
      return right;
    }
  } else if (setter == PasswordSetter::kOwner) {
    // The owner's change without proof (a reset of one's own password) guesses nothing, but
    // waits like a guess while the account's password attempts are held back.
    if (auto open = throttle_.check_open(LoginThrottle::account_of_user(user->identifier),
                                         address);
        !open) {
      return open;
    }
  }
  return replace_hash(*user, new_password, keep_session_digest, setter);
}

Status PasswordService::verify_current_password(const User& user, std::string_view password,
                                                std::string_view address) {
  auto attempt = throttle_.begin_attempt(LoginThrottle::account_of_user(user.identifier), address);
  if (!attempt) return fail(attempt.error());
  if (!ports_.hasher.verify(password, user.password_hash).matches) {
    return fail(ErrorCode::kRuleViolation, "Current password is incorrect");  // stays counted
  }
  throttle_.succeeded(*attempt);
  return {};
}

Status PasswordService::reset_password(std::string_view target_username,
                                       std::string_view new_password,
                                       std::string_view keep_session_digest,
                                       PasswordSetter setter) {
  return change_password(target_username, new_password, std::nullopt, keep_session_digest, {},
                         setter);
}

Result<bool> PasswordService::set_password_if_different(std::string_view username,
                                                        std::string_view password) {
  auto user = users_.get_user(username);
  if (!user) return fail(user.error());
  const PasswordCheck check = ports_.hasher.verify(password, user->password_hash);
  if (check.matches && !check.needs_rehash) return false;
  if (auto reset = reset_password(username, password, {}, PasswordSetter::kConfiguration);
      !reset) {
    return fail(reset.error());
  }
  return true;
}

Status PasswordService::check_not_directory_managed(const User& user) {
  if (ports_.directory_accounts == nullptr) return {};
  auto account = ports_.directory_accounts->find_directory_account(user.id);
  if (!account) return fail(account.error());
  if (!*account) return {};
  Error error =
      Error::make(ErrorCode::kInvalidArgument, "The password of " + user.username +
                                                   " is managed by the directory: change it there");
  error.type = std::string(kDirectoryManaged);
  return fail(std::move(error));
}

Status PasswordService::check_not_reused(const User& user, std::string_view new_password) {
  const int remembered = std::min(settings_.password_policy.history, kMaxPasswordHistory);
  if (remembered <= 0) return {};
  auto previous = ports_.passwords.previous_password_hashes(user.id, remembered - 1);
  if (!previous) return fail(previous.error());
  previous->insert(previous->begin(), user.password_hash);
  for (const std::string& hash : *previous) {
    if (ports_.hasher.verify(new_password, hash).matches) {
      return fail(password_rule_error(
          kRuleReused, "new_password",
          "must differ from the last " + std::to_string(remembered) + " passwords"));
    }
  }
  return {};
}

Status PasswordService::replace_hash(const User& user, std::string_view new_password,
                                     std::string_view keep_session_digest,
                                     PasswordSetter setter) {
  const PasswordPolicySettings& policy = settings_.password_policy;
  const UnixSeconds now = ports_.clock.now();
  if (setter == PasswordSetter::kOwner && policy.min_age_hours > 0) {
    auto state = ports_.passwords.password_state(user.id);
    if (!state) return fail(state.error());
    // A change the service demands (set by someone else) is never held back.
    if (!(policy.change_on_first_login && state->must_change)) {
      if (auto too_soon = check_minimum_age(*state, now, policy.min_age_hours); !too_soon) {
        return too_soon;
      }
    }
  }
  if (auto reused = check_not_reused(user, new_password); !reused) return reused;
  auto hash = ports_.hasher.hash(new_password);
  if (!hash) return fail(hash.error());
  PasswordUpdate update;
  update.hash = std::move(*hash);
  update.set_at = now;
  update.must_change = setter == PasswordSetter::kSomeoneElse && policy.change_on_first_login;
  update.history_depth = std::max(0, std::min(policy.history, kMaxPasswordHistory) - 1);
  update.revocation = SessionRevocation{true, std::string(keep_session_digest)};
  return ports_.passwords.replace_password(user.id, update);
}

}  // namespace automation
