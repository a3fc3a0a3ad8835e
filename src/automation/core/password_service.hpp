#pragma once

#include <optional>
#include <string_view>

#include "automation/core/login_throttle.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"
#include "automation/core/user_service.hpp"

namespace automation {

// change_password / reset_password exactly as SPEC §4: no authorization here. Every other
// session of the target ends in the same transaction as the change; `keep_session_digest`
// names the session that made the change (empty: end them all).
class PasswordService {
 public:
  PasswordService(UserService& users, UserStore& store, PasswordHasher& hasher,
                  LoginThrottle& throttle, const CoreSettings& settings)
      : users_(users), store_(store), hasher_(hasher), throttle_(throttle), settings_(settings) {}

  // When current_password is given it must match (kRuleViolation "Invalid current password").
  // Checking it is a password attempt like a login from `address`: counted and throttled
  // (kThrottled), so a stolen session key cannot guess its account's password quickly.
  Status change_password(std::string_view target_username, std::string_view new_password,
                         const std::optional<std::string>& current_password,
                         std::string_view keep_session_digest = {},
                         std::string_view address = {});
  Status reset_password(std::string_view target_username, std::string_view new_password,
                        std::string_view keep_session_digest = {});
  // Resets the password unless it already matches (then nothing changes and sessions
  // survive). Returns whether it changed.
  Result<bool> set_password_if_different(std::string_view username, std::string_view password);

 private:
  Status replace_hash(const User& user, std::string_view new_password,
                      std::string_view keep_session_digest);

  UserService& users_;
  UserStore& store_;
  PasswordHasher& hasher_;
  LoginThrottle& throttle_;
  const CoreSettings& settings_;
};

}  // namespace automation
