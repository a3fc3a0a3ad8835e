#include "automation/storage/dialect.hpp"

#include <string>

namespace automation::storage {

namespace {

// SQLite: only a column declared exactly "INTEGER PRIMARY KEY" aliases the rowid (so the
// database assigns it); AUTOINCREMENT is not needed because ids are never reused
// meaningfully by us and it costs an extra table.
constexpr DialectSql kSqlite{
    .dialect = Dialect::kSqlite,
    .id_column = "INTEGER PRIMARY KEY",
    .big_id_column = "INTEGER PRIMARY KEY",
    .begin_write = "BEGIN IMMEDIATE",
    .begin_read = "BEGIN",
    .migration_lock = "",
    .migration_unlock = "",
    .key_lock = "",
    .random_hex_id = "lower(hex(randomblob(8)))",
    .returning_id = " RETURNING id",
    .last_insert_id = "",
    .insert_setting_if_absent =
        "INSERT INTO settings (\"key\", value) VALUES (:key, :value) ON CONFLICT (\"key\") DO NOTHING",
    .table_options = "",
    .username_matches = "lower(username) = lower(:v)",
    .email_matches = "lower(email) = lower(:v)",
    .role_name_matches = "lower(name) = lower(:v)",
};

// PostgreSQL: SERIAL matches what peewee creates for PyAutomation's tables; the
// advisory lock key is an arbitrary constant private to this service.
constexpr DialectSql kPostgresql{
    .dialect = Dialect::kPostgresql,
    .id_column = "SERIAL PRIMARY KEY",
    .big_id_column = "BIGSERIAL PRIMARY KEY",
    .begin_write = "BEGIN",
    // Repeatable read: every statement of the transaction sees one snapshot (as SQLite's
    // read transactions do), e.g. a page of users and the listing version it was built at.
    .begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    .migration_lock = "SELECT pg_advisory_xact_lock(7243610519)",
    .migration_unlock = "",
    .key_lock = "SELECT pg_advisory_xact_lock(hashtext(:key))",
    // Not a secret (a session id grants nothing), so random() is good enough.
    .random_hex_id = "substr(md5(random()::text || clock_timestamp()::text), 1, 16)",
    .returning_id = " RETURNING id",
    .last_insert_id = "",
    .insert_setting_if_absent = kSqlite.insert_setting_if_absent,
    .table_options = "",
    .username_matches = kSqlite.username_matches,
    .email_matches = kSqlite.email_matches,
    .role_name_matches = kSqlite.role_name_matches,
};

// MySQL 8 / MariaDB >= 10.5 (sessions run READ COMMITTED with ANSI_QUOTES, see database.cpp).
// INTEGER AUTO_INCREMENT is what peewee creates. MySQL has no transaction-scoped advisory
// lock: GET_LOCK belongs to the connection and survives a failed COMMIT or ROLLBACK unless
// released by hand. So the key lock is a row lock (SELECT ... FOR UPDATE) on one of 1000
// fixed slot rows, picked by a hash of the key: InnoDB releases it at COMMIT or ROLLBACK and
// when the connection dies, whatever failed. Two keys on one slot only wait for each other.
// Migrations do use GET_LOCK (named after the database): DDL commits implicitly, which
// would release a row lock; they release it explicitly, and a connection that dies frees it.
constexpr DialectSql kMysql{
    .dialect = Dialect::kMysql,
    .id_column = "INTEGER AUTO_INCREMENT PRIMARY KEY",
    .big_id_column = "BIGINT AUTO_INCREMENT PRIMARY KEY",
    .begin_write = "START TRANSACTION",
    .begin_read = "START TRANSACTION READ ONLY",
    .migration_lock = "DO GET_LOCK(CONCAT('automation_migrations:', DATABASE()), 60)",
    .migration_unlock = "DO RELEASE_LOCK(CONCAT('automation_migrations:', DATABASE()))",
    .key_lock = "SELECT slot FROM throttle_lock_slots WHERE slot = CRC32(:key) % 1000 FOR UPDATE",
    // Unused: the MySQL schema has sessions.session_id from its first version.
    .random_hex_id = "lower(hex(random_bytes(8)))",
    .returning_id = "",
    .last_insert_id = "SELECT LAST_INSERT_ID()",
    .insert_setting_if_absent =
        "INSERT INTO settings (\"key\", value) VALUES (:key, :value)"
        " ON DUPLICATE KEY UPDATE value = value",
    .table_options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    .username_matches = "username_ci = lower(:v)",
    .email_matches = "email_ci = lower(:v)",
    .role_name_matches = "name_ci = lower(:v)",
};

}  // namespace

const DialectSql& sql_for(Dialect dialect) noexcept {
  switch (dialect) {
    case Dialect::kPostgresql:
      return kPostgresql;
    case Dialect::kMysql:
      return kMysql;
    case Dialect::kSqlite:
      break;
  }
  return kSqlite;
}

Result<Dialect> parse_dialect(std::string_view type) {
  if (type == "sqlite" || type == "sqlite3") return Dialect::kSqlite;
  if (type == "postgresql" || type == "postgres") return Dialect::kPostgresql;
  if (type == "mysql" || type == "mariadb") return Dialect::kMysql;
  return fail(ErrorCode::kInvalidArgument, "unknown database type '" + std::string(type) +
                                               "' (use sqlite, postgresql or mysql)");
}

const char* to_string(Dialect dialect) noexcept {
  switch (dialect) {
    case Dialect::kPostgresql:
      return "postgresql";
    case Dialect::kMysql:
      return "mysql";
    case Dialect::kSqlite:
      break;
  }
  return "sqlite";
}

}  // namespace automation::storage
