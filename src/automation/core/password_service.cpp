#include "automation/core/password_service.hpp"

#include <string>

#include "automation/core/validation.hpp"

namespace automation {

Status PasswordService::change_password(std::string_view target_username,
                                        std::string_view new_password,
                                        const std::optional<std::string>& current_password,
                                        std::string_view keep_session_digest,
                                        std::string_view address) {
  if (auto valid = validate_password(new_password, settings_.password_min_length); !valid) {
    Error error = valid.error();
    error.fields = {{"new_password", error.fields.begin()->second}};
    error.message = "Invalid new_password: " + error.fields.begin()->second;
    return fail(std::move(error));
  }
  auto user = users_.get_user(target_username);
  if (!user) return fail(user.error());
  if (current_password) {
    auto attempt = throttle_.begin_attempt(LoginThrottle::account_of_user(user->identifier),
                                           address);
    if (!attempt) return fail(attempt.error());
    if (!hasher_.verify(*current_password, user->password_hash).matches) {
      return fail(ErrorCode::kRuleViolation, "Invalid current password");  // stays counted
    }
    throttle_.succeeded(*attempt);
  }
  return replace_hash(*user, new_password, keep_session_digest);
}

Status PasswordService::reset_password(std::string_view target_username,
                                       std::string_view new_password,
                                       std::string_view keep_session_digest) {
  return change_password(target_username, new_password, std::nullopt, keep_session_digest);
}

Result<bool> PasswordService::set_password_if_different(std::string_view username,
                                                        std::string_view password) {
  auto user = users_.get_user(username);
  if (!user) return fail(user.error());
  const PasswordCheck check = hasher_.verify(password, user->password_hash);
  if (check.matches && !check.needs_rehash) return false;
  if (auto reset = reset_password(username, password); !reset) return fail(reset.error());
  return true;
}

Status PasswordService::replace_hash(const User& user, std::string_view new_password,
                                     std::string_view keep_session_digest) {
  auto hash = hasher_.hash(new_password);
  if (!hash) return fail(hash.error());
  return store_.set_password_hash(user.id, *hash,
                                  SessionRevocation{true, std::string(keep_session_digest)});
}

}  // namespace automation
