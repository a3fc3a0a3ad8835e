#include "pyautomation_fixture.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace automation::storage::contract {

namespace {

// Owns a raw connection for the duration of one helper call.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) {
      std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("sqlite3_open: " + why);
    }
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string why = message != nullptr ? message : "?";
      sqlite3_free(message);
      throw std::runtime_error(sql + ": " + why);
    }
  }

  // Prepares sql, binds params (nullopt = NULL) and steps it once.
  std::string step(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int position = static_cast<int>(i) + 1;
      if (params[i]) {
        sqlite3_bind_text(stmt, position, params[i]->data(), static_cast<int>(params[i]->size()),
                          SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_null(stmt, position);
      }
    }
    const int rc = sqlite3_step(stmt);
    std::string out;
    if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    }
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

const std::vector<LegacyRole>& pyautomation_roles() {
  static const std::vector<LegacyRole> roles = {
      {"0a1b2c3d", "SUDO", 0},     {"1b2c3d4e", "ADMIN", 1},      {"2c3d4e5f", "SUPERVISOR", 2},
      {"3d4e5f60", "OPERATOR", 10}, {"4e5f6071", "AUDITOR", 100}, {"5f607182", "GUEST", 256},
  };
  return roles;
}

const std::vector<LegacyUser>& pyautomation_users() {
  // Hashes from tests/testdata/werkzeug_hashes.json.
  static const std::vector<LegacyUser> users = {
      {"a1b2c3d4", "system", "SUDO", "system@localhost", "password",
       "scrypt:32768:8:1$BX6YziMRKDOM4R1e$e74e028a60756cec0f524084ae71ee4262924517d07d0e096d5872"
       "4735324fa5006e1b34aee4ad13c9d54591609236d682f470eeb4f4cf5d5a65ba5a143a482f",
       std::nullopt, "System", std::nullopt},
      {"b2c3d4e5", "John_Doe", "ADMIN", "John.Doe@Example.com", "password",
       "pbkdf2:sha256:260000$iInmoHjfo4U9uqHz$811e3dac9ba272bb9eed5912b3079ad02c2b723fdb08a8a37a"
       "5d800466fbddb8",
       "4f1c9a0b7d2e6a31-old-pyautomation-key", "John", "Doe"},
      {"c3d4e5f6", "operator1", "OPERATOR", "operator1@plant.local", "correct horse battery staple",
       "pbkdf2:sha512:10000$taPqvitUM7K7OAE1$68badc066c4747a997a3afa23d4a84a4e1a03742eac468d47bfab"
       "3537ccda98645755ac3521025d439b2e42156f25160af6a243e13c65cf0ac044426c87c9ebf",
       std::nullopt, std::nullopt, std::nullopt},
      {"d4e5f607", "auditor", "AUDITOR", "auditor@plant.local", "password",
       "sha256$dnQz5kCMMBysABR6$320c988a3591bc3ab0825dcdd88947689f22c97e5cc329328cd7530de30c55ac",
       std::nullopt, "Ann", std::nullopt},
      {"e5f60718", "guest_01", "GUEST", "guest01@plant.local", "contraseña",
       "scrypt:32768:8:1$KO4j06sGrHS507td$7ea9a9d86837132cc50fd1371dbee4635b8a94f4da5eabccb81f80"
       "6e3590889dd6e05d425052ca355ce78b69a5c2a51ffa22c14f45a550eb9a668ffc7ce6660d",
       std::nullopt, std::nullopt, "Invitado"},
  };
  return users;
}

void build_pyautomation_sqlite(const std::filesystem::path& file,
                               const std::vector<LegacyUser>& users, LegacyLayout layout) {
  RawDb db(file);
  // peewee's DDL for PyAutomation's Roles and Users models.
  db.exec(
      "CREATE TABLE \"roles\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"identifier\" VARCHAR(255) "
      "NOT NULL, \"name\" VARCHAR(255) NOT NULL, \"level\" INTEGER NOT NULL)");
  db.exec("CREATE UNIQUE INDEX \"roles_identifier\" ON \"roles\" (\"identifier\")");
  db.exec("CREATE UNIQUE INDEX \"roles_name\" ON \"roles\" (\"name\")");
  const std::string email = layout == LegacyLayout::kPeewee
                                ? "\"email\" VARCHAR(255) NOT NULL UNIQUE"
                                : "\"email\" VARCHAR(255) UNIQUE";
  db.exec(
      "CREATE TABLE \"users\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"identifier\" VARCHAR(255) "
      "NOT NULL UNIQUE, \"username\" VARCHAR(255) NOT NULL UNIQUE, \"role_id\" INTEGER NOT NULL, " +
      email +
      ", \"password\" VARCHAR(255) NOT NULL, \"token\" VARCHAR(255), \"name\" VARCHAR(255), "
      "\"lastname\" VARCHAR(255), FOREIGN KEY (\"role_id\") REFERENCES \"roles\" (\"id\"))");
  db.exec("CREATE INDEX \"users_role_id\" ON \"users\" (\"role_id\")");

  for (const LegacyRole& role : pyautomation_roles()) {
    db.step("INSERT INTO roles (identifier, name, level) VALUES (?, ?, ?)",
            {role.identifier, role.name, std::to_string(role.level)});
  }
  for (const LegacyUser& user : users.empty() ? pyautomation_users() : users) {
    db.step(
        "INSERT INTO users (identifier, username, role_id, email, password, token, name, "
        "lastname) VALUES (?, ?, (SELECT id FROM roles WHERE name = ?), ?, ?, ?, ?, ?)",
        {user.identifier, user.username, user.role, user.email, user.hash, user.token, user.name,
         user.lastname});
  }
}

std::string sqlite_scalar(const std::filesystem::path& file, const std::string& sql) {
  RawDb db(file);
  return db.step(sql, {});
}

}  // namespace automation::storage::contract
