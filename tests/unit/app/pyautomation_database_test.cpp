// Opens a database laid out as PyAutomation (peewee) leaves it and logs its users in with
// their werkzeug hashes, through the real application wiring (SQLite store + crypto).

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "automation/app/application.hpp"
#include "automation/core/text.hpp"

namespace automation::app {
namespace {

namespace fs = std::filesystem;

struct LegacyUser {
  std::string username;
  std::string email;
  std::string role;  // upper-case, as PyAutomation stores them
  std::string password;
  std::string hash;
};

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "") << "\n" << sql;
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// First vector of the given method family that werkzeug accepts and whose password is ASCII.
LegacyUser from_vector(const std::string& prefix, const std::string& username,
                       const std::string& role) {
  std::ifstream in(std::string(AUTOMATION_TESTDATA_DIR) + "/werkzeug_hashes.json");
  const auto vectors = nlohmann::json::parse(in);
  for (const auto& v : vectors) {
    const std::string hash = v["hash"];
    const std::string password = v["password"];
    if (v["expect"] && hash.starts_with(prefix) && password.size() >= 1) {
      return LegacyUser{username, username + "@plant.example", role, password, hash};
    }
  }
  ADD_FAILURE() << "no vector for " << prefix;
  return {};
}

class PyAutomationDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("automation-pyauto-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    file_ = (dir_ / "pyautomation.db").string();
    users_ = {from_vector("pbkdf2:sha256", "operador1", "OPERATOR"),
              from_vector("scrypt:", "Admin.Plant", "ADMIN"),
              from_vector("sha256$", "legacy_sup", "SUPERVISOR")};
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    exec(db,
         R"(CREATE TABLE "roles" ("id" INTEGER NOT NULL PRIMARY KEY, "identifier" VARCHAR(255) NOT NULL,
              "name" VARCHAR(255) NOT NULL, "level" INTEGER NOT NULL);
            CREATE UNIQUE INDEX "roles_identifier" ON "roles" ("identifier");
            CREATE UNIQUE INDEX "roles_name" ON "roles" ("name");
            CREATE TABLE "users" ("id" INTEGER NOT NULL PRIMARY KEY,
              "identifier" VARCHAR(255) NOT NULL, "username" VARCHAR(255) NOT NULL,
              "role_id" INTEGER NOT NULL, "email" VARCHAR(255) NOT NULL,
              "password" VARCHAR(255) NOT NULL, "token" VARCHAR(255), "name" VARCHAR(255),
              "lastname" VARCHAR(255), FOREIGN KEY ("role_id") REFERENCES "roles" ("id"));
            CREATE UNIQUE INDEX "users_identifier" ON "users" ("identifier");
            CREATE UNIQUE INDEX "users_username" ON "users" ("username");
            CREATE UNIQUE INDEX "users_email" ON "users" ("email");
            INSERT INTO roles VALUES (1, '1a2b3c4d', 'SUDO', 0), (2, '2b3c4d5e', 'ADMIN', 1),
              (3, '3c4d5e6f', 'SUPERVISOR', 2), (4, '4d5e6f70', 'OPERATOR', 10),
              (5, '5e6f7081', 'AUDITOR', 100), (6, '6f708192', 'GUEST', 256);)");
    int id = 1;
    for (const auto& user : users_) {
      exec(db, "INSERT INTO users VALUES (" + std::to_string(id) + ", " +
                   quoted("a1b2c3d" + std::to_string(id)) + ", " + quoted(user.username) +
                   ", (SELECT id FROM roles WHERE name = " + quoted(user.role) + "), " +
                   quoted(user.email) + ", " + quoted(user.hash) + ", NULL, 'Old', NULL)");
      ++id;
    }
    sqlite3_close(db);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Application> start() {
    config::Config config;
    config.database.file = file_;
    config.secrets.superuser_password = "system-password-1";
    config.password_hash = {8, 1};  // cheap Argon2id: this test is about the legacy formats
    BootstrapReport report;
    auto app = Application::start(config, report);
    EXPECT_TRUE(app) << (app ? "" : app.error().message);
    return app ? std::move(*app) : nullptr;
  }

  fs::path dir_;
  std::string file_;
  std::vector<LegacyUser> users_;
};

TEST_F(PyAutomationDatabaseTest, UsersLogInWithWerkzeugHashesAndAreUpgraded) {
  auto app = start();
  ASSERT_TRUE(app);
  for (const auto& legacy : users_) {
    SCOPED_TRACE(legacy.username);
    auto login = app->core().login(Credentials{legacy.username, std::nullopt, legacy.password});
    ASSERT_TRUE(login) << login.error().message;
    EXPECT_TRUE(iequals_ascii(login->role.name, legacy.role));
    auto user = app->core().get_user(legacy.username);
    ASSERT_TRUE(user);
    EXPECT_EQ(user->identifier.size(), 8u);  // existing identifiers are kept
    EXPECT_TRUE(user->password_hash.starts_with("$argon2id$")) << "rehashed on login";
    EXPECT_FALSE(app->core().login(Credentials{legacy.username, std::nullopt, "wrong-pass"}));
    // After the upgrade the same password still works.
    EXPECT_TRUE(app->core().login(Credentials{std::nullopt, legacy.email, legacy.password}));
  }
}

TEST_F(PyAutomationDatabaseTest, ExistingRolesAreKeptAndMatchedCaseInsensitively) {
  auto app = start();
  ASSERT_TRUE(app);
  auto roles = app->core().roles().list_visible_roles();
  ASSERT_TRUE(roles);
  EXPECT_EQ(roles->size(), 5u);  // no lower-case duplicates seeded next to SUDO, ADMIN, ...
  ASSERT_TRUE(app->core().update_user_role("operador1", "supervisor"));
  EXPECT_EQ(app->core().get_user("OPERADOR1")->role.level, 2);
  auto system = app->core().get_user("system");
  ASSERT_TRUE(system);
  EXPECT_EQ(system->role.level, 0);
  // Reopening runs the migrations again as a no-op and keeps every user.
  app.reset();
  app = start();
  ASSERT_TRUE(app);
  EXPECT_EQ(app->core().list_users()->size(), users_.size());
}

}  // namespace
}  // namespace automation::app
