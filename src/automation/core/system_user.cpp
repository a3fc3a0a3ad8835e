#include "automation/core/system_user.hpp"

#include "automation/core/policy.hpp"

namespace automation {

Result<SystemUserOutcome> ensure_system_user(UserService& users, PasswordService& passwords,
                                             RandomSource& random,
                                             const std::optional<std::string>& password) {
  SystemUserOutcome outcome;
  auto existing = users.get_user("system");
  if (existing) {
    if (!policy::is_sudo_role(existing->role.name, existing->role.level)) {
      auto repaired = users.update_user_role("system", "sudo", /*allow_sudo=*/true);
      if (!repaired) return fail(repaired.error());
      outcome.role_repaired = true;
    }
    if (password) {
      auto changed = passwords.set_password_if_different("system", *password);
      if (!changed) return fail(changed.error());
      outcome.password_set = *changed;
    }
    return outcome;
  }
  if (existing.error().code != ErrorCode::kNotFound) return fail(existing.error());
  // 128 random bits; the fixed "Sys-" gives it every character class the rules may ask for.
  SignupRequest request{"system", "system@localhost",
                        password.value_or("Sys-" + random.random_hex(16)),
                        "sudo", "System", std::nullopt};
  auto created = users.signup(request, /*allow_sudo=*/true, PasswordSetter::kConfiguration);
  // Another process created it a moment ago: that one printed its password.
  if (!created && created.error().code == ErrorCode::kAlreadyExists) return outcome;
  if (!created) return fail(created.error());
  outcome.created = true;
  outcome.password_set = password.has_value();
  if (!password) outcome.generated_password = request.password;
  return outcome;
}

}  // namespace automation
