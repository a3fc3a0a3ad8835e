#pragma once

#include <optional>
#include <string>

#include "automation/core/password_service.hpp"
#include "automation/core/user_service.hpp"

namespace automation {

struct SystemUserOutcome {
  bool created = false;
  bool password_set = false;                     // configured password applied
  bool role_repaired = false;                    // it had lost the sudo role; given back
  std::optional<std::string> generated_password;  // only when just created without one
};

// Ensures the `system` sudo user exists with the sudo role (SPEC §2 "The system user"),
// re-promoting it if its role was changed (e.g. directly in the database). With a configured
// password it is (re)set on every start; without one, a new system user gets a random
// password that the caller prints once.
Result<SystemUserOutcome> ensure_system_user(UserService& users, PasswordService& passwords,
                                             RandomSource& random,
                                             const std::optional<std::string>& password);

}  // namespace automation
