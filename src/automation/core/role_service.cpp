#include "automation/core/role_service.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "automation/core/policy.hpp"
#include "automation/core/validation.hpp"

namespace automation {
namespace {

constexpr long long kMaxRoleLevel = 1'000'000;

struct DefaultRole {
  std::string_view name;
  int level;
};
constexpr std::array<DefaultRole, 6> kDefaultRoles = {{{"sudo", 0},
                                                       {"admin", 1},
                                                       {"supervisor", 2},
                                                       {"operator", 10},
                                                       {"auditor", 100},
                                                       {"guest", 256}}};

}  // namespace

Status RoleService::seed_default_roles() {
  for (const auto& role : kDefaultRoles) {
    auto existing = store_.find_role(role.name);
    if (!existing) return fail(existing.error());
    if (*existing) continue;
    auto added = set_role(role.name, role.level, /*allow_sudo_level=*/true);
    // Another process seeding the same database at the same moment is fine.
    if (!added && added.error().code != ErrorCode::kAlreadyExists) return fail(added.error());
  }
  return {};
}

Result<std::vector<Role>> RoleService::list_visible_roles() {
  auto roles = store_.list_roles();
  if (!roles) return roles;
  std::erase_if(*roles, [](const Role& role) {
    return policy::is_sudo_role(role.name, role.level);
  });
  return roles;
}

Result<Role> RoleService::find_role(std::string_view name) {
  auto role = store_.find_role(name);
  if (!role) return fail(role.error());
  if (!*role) return fail(ErrorCode::kNotFound, "Role " + std::string(name) + " not found");
  return **role;
}

Result<Role> RoleService::set_role(std::string_view name, long long level, bool allow_sudo_level) {
  if (auto valid = validate_role_name(name); !valid) return fail(valid.error());
  const long long min_level = allow_sudo_level ? 0 : 1;
  if (level < min_level || level > kMaxRoleLevel) {
    return fail(Error::invalid("level", "must be between " + std::to_string(min_level) + " and " +
                                            std::to_string(kMaxRoleLevel)));
  }
  if (!allow_sudo_level && policy::is_sudo_role(name)) {
    return fail(ErrorCode::kAlreadyExists, "Role sudo already exists");
  }
  Role role;
  role.identifier = random_.random_hex(8);
  role.name = std::string(name);
  role.level = static_cast<int>(level);
  auto added = store_.add_role(role);
  if (!added && added.error().code == ErrorCode::kAlreadyExists) {
    Error error = Error::make(ErrorCode::kAlreadyExists, "Role " + role.name + " already exists");
    error.fields.emplace("name", "already exists");
    return fail(std::move(error));
  }
  return added;
}

}  // namespace automation
