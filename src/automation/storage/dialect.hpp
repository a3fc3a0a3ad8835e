#pragma once

#include <string_view>

#include "automation/core/error.hpp"

namespace automation::storage {

// The SQL databases the storage layer speaks to.
enum class Dialect { kSqlite, kPostgresql, kMysql };

// Every SQL fragment that differs between the supported databases, kept in this one
// place so the DDL and queries elsewhere are written once for all of them.
struct DialectSql {
  Dialect dialect;
  // Column definition of an integer surrogate key assigned by the database.
  std::string_view id_column;
  // Same, for tables expected to grow past 2^31 rows (audit, login failures).
  std::string_view big_id_column;
  // Opens a transaction that will write. SQLite takes the write lock up front
  // (BEGIN IMMEDIATE) so two writers never deadlock on a read->write upgrade, which
  // busy_timeout cannot resolve.
  std::string_view begin_write;
  // Opens a transaction that only reads (consistent snapshot, blocks no writer in WAL).
  std::string_view begin_read;
  // Run first inside each migration transaction to serialize migrations across
  // processes; empty when begin_write already does (SQLite).
  std::string_view migration_lock;
  // Run last inside each migration transaction, to release what migration_lock took when
  // that lock outlives the transaction (MySQL); empty otherwise.
  std::string_view migration_unlock;
  // Takes a transaction-scoped lock on the text bound as :key, so a check-then-write on
  // that key is atomic across processes; empty when begin_write already serializes
  // writers (SQLite).
  std::string_view key_lock;
  // An expression giving 16 random lowercase hex characters, for ids assigned by a
  // migration to rows written before the column existed (sessions.session_id).
  std::string_view random_hex_id;
  // Appended to an INSERT so that it answers the id the database assigned; empty when
  // the database cannot (MySQL 8), and then last_insert_id asks for it afterwards.
  std::string_view returning_id;
  std::string_view last_insert_id;
  // Inserts (:key, :value) into settings unless the key is present, waiting for a racing
  // insert of the same key rather than failing on it.
  std::string_view insert_setting_if_absent;
  // Appended to CREATE TABLE of the service's own tables (engine, character set).
  std::string_view table_options;
  // Predicates matching users.username, users.email and roles.name case-insensitively
  // with the text bound as :v (unqualified columns: valid alone and in the users-roles
  // join). MySQL compares the lower-case key columns, bytes (migrations.cpp), so the match
  // is exact whatever the collation of an existing PyAutomation table, and uses their index.
  std::string_view username_matches;
  std::string_view email_matches;
  std::string_view role_name_matches;
};

// The fragments for a dialect.
const DialectSql& sql_for(Dialect dialect) noexcept;

// Parses AUTOMATION_DB_TYPE ("sqlite"/"sqlite3", "postgresql"/"postgres", "mysql"/
// "mariadb"); kInvalidArgument for anything else.
Result<Dialect> parse_dialect(std::string_view type);

// Stable name of a dialect, for messages.
const char* to_string(Dialect dialect) noexcept;

}  // namespace automation::storage
