// An existing PyAutomation database on MySQL, opened in place (issue 11): the `roles` and
// `users` tables as peewee's MySQL mapping creates them, under a case-insensitive and under a
// binary collation; case-insensitive uniqueness must hold under both.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/sql_role_store.hpp"
#include "automation/storage/sql_user_store.hpp"
#include "test_database.hpp"

namespace automation::storage::contract {
namespace {

class MysqlPyAutomation : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    Backend backend = mysql_backend();
    if (!backend.skip_reason.empty()) GTEST_SKIP() << backend.skip_reason;
    // Only the server's settings: the database is made here, PyAutomation-shaped.
    server_ = backend.make()->options();
    // Parallel ctest processes share the server: pid + counter + random keeps names apart
    // (the gtest seed and the fixture's address were equal in two asan processes).
    server_.name = "automation_pyauto_" + unique_suffix();
    mysql_admin_exec(server_, "CREATE DATABASE " + server_.name +
                                  " CHARACTER SET utf8mb4 COLLATE " + GetParam());
    // peewee's MySQL DDL for PyAutomation's Roles and Users models.
    for (const char* ddl : {
             "CREATE TABLE IF NOT EXISTS `roles` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY "
             "KEY, `identifier` VARCHAR(255) NOT NULL, `name` VARCHAR(255) NOT NULL, `level` "
             "INTEGER NOT NULL)",
             "CREATE UNIQUE INDEX `roles_identifier` ON `roles` (`identifier`)",
             "CREATE UNIQUE INDEX `roles_name` ON `roles` (`name`)",
             "CREATE TABLE IF NOT EXISTS `users` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY "
             "KEY, `identifier` VARCHAR(255) NOT NULL, `username` VARCHAR(255) NOT NULL, "
             "`role_id` INTEGER NOT NULL, `email` VARCHAR(255) NOT NULL, `password` "
             "VARCHAR(255) NOT NULL, `token` VARCHAR(255), `name` VARCHAR(255), `lastname` "
             "VARCHAR(255), FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`))",
             "CREATE UNIQUE INDEX `users_identifier` ON `users` (`identifier`)",
             "CREATE UNIQUE INDEX `users_username` ON `users` (`username`)",
             "CREATE INDEX `users_role_id` ON `users` (`role_id`)",
             "CREATE UNIQUE INDEX `users_email` ON `users` (`email`)",
             "INSERT INTO `roles` (`identifier`, `name`, `level`) VALUES ('1a2b3c4d', 'ADMIN', 1)",
             "INSERT INTO `users` (`identifier`, `username`, `role_id`, `email`, `password`) "
             "VALUES ('5e6f7a8b', 'Maria', 1, 'Maria@Plant.example', "
             "'pbkdf2:sha256:600000$salt$0000')",
         }) {
      mysql_admin_exec(server_, ddl, server_.name);
    }
    auto opened = Database::open(server_);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    db_ = std::move(*opened);
  }
  void TearDown() override {
    db_.reset();
    if (!server_.name.empty()) {
      try {
        mysql_admin_exec(server_, "DROP DATABASE IF EXISTS " + server_.name);
      } catch (...) {
      }
    }
  }

  DatabaseOptions server_;
  std::unique_ptr<Database> db_;
};

TEST_P(MysqlPyAutomation, OpensInPlaceAndMatchesCaseInsensitively) {
  SqlRoleStore roles(*db_);
  SqlUserStore users(*db_);
  auto admin = roles.find_role("admin");
  ASSERT_TRUE(admin.has_value() && admin->has_value());
  EXPECT_EQ((*admin)->name, "ADMIN");  // stored as PyAutomation wrote it
  auto maria = users.find_user_by_username("MARIA");
  ASSERT_TRUE(maria.has_value() && maria->has_value());
  EXPECT_EQ((*maria)->identifier, "5e6f7a8b");
  EXPECT_EQ((*maria)->password_hash, "pbkdf2:sha256:600000$salt$0000");  // untouched
  // Exactly "same lower-case text", as on SQLite and PostgreSQL: a _ci collation would
  // also take an accented or space-padded name for this one.
  for (const char* other : {"MARÍA", "maría", "Maria "}) {
    auto missing = users.find_user_by_username(other);
    ASSERT_TRUE(missing.has_value());
    EXPECT_FALSE(missing->has_value()) << other;
  }
  auto by_email = users.find_user_by_email("maria@plant.EXAMPLE");
  ASSERT_TRUE(by_email.has_value() && by_email->has_value());
  EXPECT_EQ((*by_email)->id, (*maria)->id);
}

TEST_P(MysqlPyAutomation, CaseDuplicatesAreRefusedWhateverTheCollation) {
  SqlUserStore users(*db_);
  NewUser twin{"9c0d1e2f", "mARIA", "other@plant.example", "hash", 1, std::nullopt, std::nullopt};
  auto added = users.add_user(twin);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kAlreadyExists);
  // Past the store's own check: the unique index on the lowered name refuses it too.
  EXPECT_THROW(mysql_admin_exec(server_,
                                "INSERT INTO users (identifier, username, role_id, email, "
                                "password) VALUES ('9c0d1e2f', 'mARIA', 1, 'x@plant.example', "
                                "'hash')",
                                server_.name),
               std::runtime_error);
  EXPECT_THROW(mysql_admin_exec(server_,
                                "INSERT INTO roles (identifier, name, level) VALUES "
                                "('99999999', 'admin', 5)",
                                server_.name),
               std::runtime_error);
}

INSTANTIATE_TEST_SUITE_P(Collations, MysqlPyAutomation,
                         ::testing::Values("utf8mb4_general_ci", "utf8mb4_bin"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param == "utf8mb4_bin" ? std::string("Binary")
                                                               : std::string("CaseInsensitive");
                         });

}  // namespace
}  // namespace automation::storage::contract
