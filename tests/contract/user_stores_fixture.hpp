#pragma once

// A fresh database of each engine with the stores most contract tests start from (roles,
// users, sessions), one role "operator" and users made to order: the base of the store
// contract fixtures that need users (MFA, directory accounts).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "automation/storage/sql_role_store.hpp"
#include "automation/storage/sql_session_store.hpp"
#include "automation/storage/sql_user_store.hpp"
#include "test_database.hpp"

namespace automation::storage::contract {

class UserStoresContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = GetParam().make();
    if (!env_) GTEST_SKIP() << GetParam().skip_reason;
    Database& db = env_->db();
    roles_ = std::make_unique<SqlRoleStore>(db);
    users_ = std::make_unique<SqlUserStore>(db);
    sessions_ = std::make_unique<SqlSessionStore>(db);
    auto role = roles_->add_role(Role{0, "role0123456789ab", "operator", 10});
    ASSERT_TRUE(role.has_value());
    role_ = *role;
  }

  // A user `name` (<name>@example.com) of role "operator" with `password_hash`.
  User add_user(const std::string& name, const std::string& password_hash = "") {
    NewUser user;
    user.identifier = "id" + std::to_string(next_id_++) + "abcdef0123456789";
    user.username = name;
    user.email = name + "@example.com";
    user.password_hash = password_hash;
    user.role_id = role_.id;
    auto added = users_->add_user(user);
    EXPECT_TRUE(added.has_value()) << (added ? "" : added.error().message);
    return added.value_or(User{});
  }

  std::unique_ptr<TestDatabase> env_;
  std::unique_ptr<SqlRoleStore> roles_;
  std::unique_ptr<SqlUserStore> users_;
  std::unique_ptr<SqlSessionStore> sessions_;
  Role role_;
  int next_id_ = 1;
};

}  // namespace automation::storage::contract
