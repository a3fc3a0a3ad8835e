#pragma once

#include <optional>
#include <string_view>

#include "automation/core/directory.hpp"
#include "automation/core/login_throttle.hpp"
#include "automation/core/password_rules.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"
#include "automation/core/user_service.hpp"

namespace automation {

// change_password / reset_password exactly as SPEC §4: no authorization here. Every other
// session of the target ends in the same transaction as the change; `keep_session_digest`
// names the session that made the change (empty: end them all), and that session's
// password-change demand is lifted. The password rules (password_rules.hpp) apply to every
// new password; the minimum age only to an owner's own change.
class PasswordService {
 public:
  struct Ports {
    UserStore& users;
    PasswordStore& passwords;
    PasswordHasher& hasher;
    Clock& clock;
    // Users the directory manages have no password here (nullptr: none does).
    DirectoryAccountStore* directory_accounts = nullptr;
  };
  PasswordService(UserService& users, const Ports& ports, LoginThrottle& throttle,
                  const CoreSettings& settings, const PasswordStrength& strength)
      : users_(users), ports_(ports), throttle_(throttle), settings_(settings),
        strength_(strength) {}

  // When current_password is given it must match (kRuleViolation, in upstream's words "Current
  // password is incorrect"). Checking it is a password attempt like a login from `address`:
  // counted and throttled (kThrottled), so a stolen session key cannot guess its account's
  // password quickly. An owner's change without it (a reset of one's own password) is refused
  // while that throttle holds the account's attempts back, and counts nothing.
  Status change_password(std::string_view target_username, std::string_view new_password,
                         const std::optional<std::string>& current_password,
                         std::string_view keep_session_digest = {},
                         std::string_view address = {},
                         PasswordSetter setter = PasswordSetter::kSomeoneElse);
  Status reset_password(std::string_view target_username, std::string_view new_password,
                        std::string_view keep_session_digest = {},
                        PasswordSetter setter = PasswordSetter::kSomeoneElse);
  // The user's current password, checked as a password attempt from `address` (counted and
  // throttled like a login: kThrottled); a wrong one is kRuleViolation "Current password is
  // incorrect" and stays counted.
  Status verify_current_password(const User& user, std::string_view password,
                                 std::string_view address);
  // Resets the password unless it already matches (then nothing changes and sessions
  // survive), as the configuration sets it. Returns whether it changed.
  Result<bool> set_password_if_different(std::string_view username, std::string_view password);

 private:
  // The history rule: the current password and the remembered previous ones, one KDF each.
  // kInvalidArgument "directory_managed" for a user whose password the directory keeps.
  Status check_not_directory_managed(const User& user);
  Status check_not_reused(const User& user, std::string_view new_password);
  Status replace_hash(const User& user, std::string_view new_password,
                      std::string_view keep_session_digest, PasswordSetter setter);

  UserService& users_;
  Ports ports_;
  LoginThrottle& throttle_;
  const CoreSettings& settings_;
  const PasswordStrength& strength_;
};

}  // namespace automation
