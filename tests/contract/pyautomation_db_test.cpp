// An existing PyAutomation database opens in place: migrations add the service's tables
// around PyAutomation's, and its users and roles are found as they were stored.

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/migrations.hpp"
#include "automation/storage/sql_role_store.hpp"
#include "automation/storage/sql_session_store.hpp"
#include "automation/storage/sql_user_store.hpp"
#include "pyautomation_fixture.hpp"
#include "test_database.hpp"

namespace automation::storage {
namespace {

using contract::LegacyLayout;
using contract::LegacyUser;
using contract::TempDir;
using contract::pyautomation_users;
using contract::sqlite_scalar;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class PyAutomationDatabase : public ::testing::Test {
 protected:
  void SetUp() override { file_ = dir_.path() / "pyautomation.db"; }

  std::unique_ptr<Database> open() {
    DatabaseOptions options;
    options.file = file_.string();
    auto db = Database::open(options);
    EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
    return db ? std::move(*db) : nullptr;
  }

  std::string ddl(const std::string& table) {
    return sqlite_scalar(file_, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '" +
                                    table + "'");
  }

  TempDir dir_;
  std::filesystem::path file_;
};

TEST_F(PyAutomationDatabase, OpensInPlaceAndLeavesItsTablesAlone) {
  contract::build_pyautomation_sqlite(file_);
  const std::string roles_before = ddl("roles");
  const std::string users_before = ddl("users");

  auto db = open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(current_schema_version(*db).value_or(-1), latest_schema_version());
  EXPECT_EQ(ddl("roles"), roles_before);
  EXPECT_EQ(ddl("users"), users_before);
  for (const char* table : {"schema_version", "sessions", "tpts", "audit_events",
                            "login_failures", "settings"}) {
    EXPECT_FALSE(ddl(table).empty()) << table;
  }
  EXPECT_EQ(ensure_case_insensitive_indexes(*db).value_or(-1), 3);
  // PyAutomation's old per-user token column is left as it was.
  EXPECT_EQ(sqlite_scalar(file_, "SELECT token FROM users WHERE username = 'John_Doe'"),
            "4f1c9a0b7d2e6a31-old-pyautomation-key");

  db.reset();
  auto again = open();  // a second start changes nothing
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(current_schema_version(*again).value_or(-1), latest_schema_version());
  EXPECT_EQ(sqlite_scalar(file_, "SELECT COUNT(*) FROM schema_version"),
            std::to_string(schema_migration_count()));
  EXPECT_EQ(sqlite_scalar(file_, "SELECT COUNT(*) FROM users"),
            std::to_string(pyautomation_users().size()));
}

TEST_F(PyAutomationDatabase, UsersAreFoundCaseInsensitivelyWithTheirRolesAndHashes) {
  contract::build_pyautomation_sqlite(file_);
  auto db = open();
  ASSERT_NE(db, nullptr);
  SqlUserStore users(*db);

  for (const LegacyUser& legacy : pyautomation_users()) {
    for (const std::string& spelling : {legacy.username, upper(legacy.username),
                                        lower(legacy.username)}) {
      auto found = users.find_user_by_username(spelling);
      ASSERT_TRUE(found.has_value()) << found.error().message;
      ASSERT_TRUE(found->has_value()) << spelling;
      const User& user = **found;
      EXPECT_EQ(user.username, legacy.username);
      EXPECT_EQ(user.identifier, legacy.identifier);  // 8-hex identifiers are kept
      EXPECT_EQ(user.password_hash, legacy.hash);     // verbatim, for werkzeug verification
      EXPECT_EQ(user.role.name, legacy.role);         // upper-case as stored
      EXPECT_EQ(user.name, legacy.name);
      EXPECT_EQ(user.lastname, legacy.lastname);
    }
    auto by_email = users.find_user_by_email(upper(*legacy.email));
    ASSERT_TRUE(by_email.has_value() && by_email->has_value());
    EXPECT_EQ((*by_email)->username, legacy.username);
  }

  auto john = users.find_user_by_username("john_doe");
  ASSERT_TRUE(john.has_value() && john->has_value());
  EXPECT_EQ((*john)->role.level, 1);
  EXPECT_EQ((*john)->email, "John.Doe@Example.com");

  auto page = users.list_users(0, 0);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->total, static_cast<std::int64_t>(pyautomation_users().size()) - 1);  // no system
  for (const User& user : page->users) EXPECT_NE(user.username, "system");
}

TEST_F(PyAutomationDatabase, UpperCaseRoleNamesMatchTheDefaultNames) {
  contract::build_pyautomation_sqlite(file_);
  auto db = open();
  ASSERT_NE(db, nullptr);
  SqlRoleStore roles(*db);
  for (const char* name : {"sudo", "admin", "supervisor", "operator", "auditor", "guest"}) {
    auto found = roles.find_role(name);
    ASSERT_TRUE(found.has_value() && found->has_value()) << name;
    EXPECT_EQ((*found)->name, upper(name));
  }
  auto duplicate = roles.add_role(Role{0, "abcdef0123456789", "Admin", 1});
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(duplicate.error().fields.contains("name"));
  EXPECT_EQ(roles.list_roles().value().size(), 6u);
}

TEST_F(PyAutomationDatabase, NewUsersAndSessionsWorkAlongsideLegacyOnes) {
  contract::build_pyautomation_sqlite(file_);
  auto db = open();
  ASSERT_NE(db, nullptr);
  SqlUserStore users(*db);
  SqlRoleStore roles(*db);
  SqlSessionStore sessions(*db);

  auto admin = roles.find_role("admin");
  ASSERT_TRUE(admin.has_value() && admin->has_value());
  NewUser fresh{"0123456789abcdef", "jane", "jane@example.com", "$argon2id$v=19$...",
                (*admin)->id, std::nullopt, std::nullopt};
  auto jane = users.add_user(fresh);
  ASSERT_TRUE(jane.has_value()) << jane.error().message;
  EXPECT_GT(jane->id, static_cast<std::int64_t>(pyautomation_users().size()));

  auto clash = users.add_user(NewUser{"fedcba9876543210", "JOHN_DOE", "x@example.com", "h",
                                      (*admin)->id, {}, {}});
  ASSERT_FALSE(clash.has_value());
  EXPECT_EQ(clash.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(clash.error().fields.contains("username"));

  auto john = users.find_user_by_username("John_Doe");
  ASSERT_TRUE(john.has_value() && john->has_value());
  ASSERT_TRUE(sessions.add_session(Session{std::string(64, 'a'), (*john)->id, 1, 0, ""}).has_value());
  auto active = sessions.find_session(std::string(64, 'a'));
  ASSERT_TRUE(active.has_value() && active->has_value());
  EXPECT_EQ((*active)->user.role.name, "ADMIN");

  ASSERT_TRUE(users.delete_user((*john)->id).has_value());
  auto gone = sessions.find_session(std::string(64, 'a'));
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());
}

TEST_F(PyAutomationDatabase, CaseDuplicatesDoNotBlockTheStart) {
  // PyAutomation's own unique index is case-sensitive, so "Bob" and "bob" can coexist.
  std::vector<LegacyUser> legacy = {
      {"aaaa0001", "Bob", "OPERATOR", "bob1@plant.local", "pw", "h1", {}, {}, {}},
      {"aaaa0002", "bob", "GUEST", "bob2@plant.local", "pw", "h2", {}, {}, {}},
  };
  contract::build_pyautomation_sqlite(file_, legacy);
  {
    auto db = open();
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(ensure_case_insensitive_indexes(*db).value_or(-1), 2);  // username index skipped
    SqlUserStore users(*db);
    auto found = users.find_user_by_username("BOB");
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->identifier, "aaaa0001");  // the oldest, deterministically

    // The store's own check still refuses a third spelling.
    auto third = users.add_user(NewUser{"aaaa0003", "BOB", "bob3@plant.local", "h3",
                                        (*found)->role.id, {}, {}});
    ASSERT_FALSE(third.has_value());
    EXPECT_EQ(third.error().code, ErrorCode::kAlreadyExists);
    EXPECT_TRUE(third.error().fields.contains("username"));

    auto second = users.find_user_by_identifier("aaaa0002");
    ASSERT_TRUE(second.has_value() && second->has_value());
    ASSERT_TRUE(users.delete_user((*second)->id).has_value());
  }
  auto db = open();  // duplicates resolved: the index is built at the next start
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(ensure_case_insensitive_indexes(*db).value_or(-1), 3);
  EXPECT_FALSE(sqlite_scalar(file_, "SELECT name FROM sqlite_master WHERE name = "
                                    "'users_username_ci'")
                   .empty());
}

TEST_F(PyAutomationDatabase, NullEmailAndNamesReadAsEmptyAndAbsent) {
  std::vector<LegacyUser> legacy = {
      {"bbbb0001", "noemail", "OPERATOR", std::nullopt, "pw", "h", {}, {}, {}},
  };
  contract::build_pyautomation_sqlite(file_, legacy, LegacyLayout::kNullableEmail);
  auto db = open();
  ASSERT_NE(db, nullptr);
  SqlUserStore users(*db);
  auto found = users.find_user_by_username("NoEmail");
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->email, "");
  EXPECT_EQ((*found)->name, std::nullopt);
  EXPECT_EQ((*found)->lastname, std::nullopt);
  auto page = users.list_users(0, 10);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->total, 1);
}

}  // namespace
}  // namespace automation::storage
