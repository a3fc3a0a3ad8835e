#pragma once

#include <string_view>
#include <vector>

#include "automation/core/ports.hpp"

namespace automation {

// Roles: the default set, lookup and set_role (add) with the level rules of SPEC §2.
class RoleService {
 public:
  RoleService(RoleStore& store, RandomSource& random) : store_(store), random_(random) {}

  // Inserts any default role (sudo 0, admin 1, supervisor 2, operator 10, auditor 100,
  // guest 256) whose name is not present yet; existing roles are left as they are.
  Status seed_default_roles();
  // Every role except sudo, by level.
  Result<std::vector<Role>> list_visible_roles();
  // kNotFound when no role has this name (case-insensitive).
  Result<Role> find_role(std::string_view name);
  // PyAutomation's set_role: adds a role. Level must be > 0 (0 is reserved for sudo)
  // unless allow_sudo_level is set (seeding only); duplicate name: kAlreadyExists.
  Result<Role> set_role(std::string_view name, long long level, bool allow_sudo_level = false);

 private:
  RoleStore& store_;
  RandomSource& random_;
};

}  // namespace automation
