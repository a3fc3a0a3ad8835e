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
    .key_lock = "",
    .random_hex_id = "lower(hex(randomblob(8)))",
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
    .key_lock = "SELECT pg_advisory_xact_lock(hashtext(:key))",
    // Not a secret (a session id grants nothing), so random() is good enough.
    .random_hex_id = "substr(md5(random()::text || clock_timestamp()::text), 1, 16)",
};

}  // namespace

const DialectSql& sql_for(Dialect dialect) noexcept {
  return dialect == Dialect::kPostgresql ? kPostgresql : kSqlite;
}

Result<Dialect> parse_dialect(std::string_view type) {
  if (type == "sqlite" || type == "sqlite3") return Dialect::kSqlite;
  if (type == "postgresql" || type == "postgres") return Dialect::kPostgresql;
  if (type == "mysql") {
    return fail(ErrorCode::kInvalidArgument,
                "database type mysql is not supported yet (use sqlite or postgresql)");
  }
  return fail(ErrorCode::kInvalidArgument,
              "unknown database type '" + std::string(type) + "' (use sqlite or postgresql)");
}

const char* to_string(Dialect dialect) noexcept {
  return dialect == Dialect::kPostgresql ? "postgresql" : "sqlite";
}

}  // namespace automation::storage
