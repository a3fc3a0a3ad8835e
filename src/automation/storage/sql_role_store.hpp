#pragma once

#include "automation/core/ports.hpp"

namespace automation::storage {

class Database;

// RoleStore on the `roles` table (PyAutomation's). Names are compared with lower() on
// both sides, so upper-case names from PyAutomation databases match.
class SqlRoleStore final : public RoleStore {
 public:
  // db must outlive the store.
  explicit SqlRoleStore(Database& db) : db_(db) {}

  Result<std::vector<Role>> list_roles() override;
  Result<std::optional<Role>> find_role(std::string_view name) override;
  // The caller supplies identifier, name and level; role.id is ignored and the id the
  // database assigns is returned. kAlreadyExists with field "name" (case-insensitive)
  // or "identifier"; kInvalidArgument for text with NUL / invalid UTF-8.
  Result<Role> add_role(const Role& role) override;

 private:
  Database& db_;
};

}  // namespace automation::storage
