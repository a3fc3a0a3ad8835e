#pragma once

// The operator's database commands (`automation db migrate`, `db copy`, `db backup`,
// `db restore`): they work on the configured database without the start-up bootstrap (no
// roles seeded, no system user, no secret generated), so a fresh target stays empty for a copy.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "automation/config/config.hpp"
#include "automation/core/error.hpp"

namespace automation::app {

// A database open failure that names connection options (Database::open's `fields`)
// becomes kInvalidArgument whose message starts with the AUTOMATION_DB_* settings to check;
// any other error is returned as is. Used for every command that opens the database.
Error name_database_settings(Error error);

// Opens the configured database, applies the pending migrations and returns the schema
// version it is at afterwards.
// Errors: a setting that cannot work (unknown type, PostgreSQL host unreachable, login or
// database name refused) is kInvalidArgument whose message starts with the AUTOMATION_DB_*
// setting(s) to check; other failures keep their code (kUnavailable, kInternal).
Result<int> migrate_database(const config::Config& config);

// Rows copied per table, in copy order.
using CopyCounts = std::vector<std::pair<std::string, long long>>;

// Migrates the configured database, then copies the SQLite database `source_file` into it
// in one transaction (storage::copy_database: ids kept, sequences moved on, a non-empty
// target refused unless `replace`). Errors: as migrate_database for the target; the
// source: kNotFound when the file does not exist, kUnavailable when it cannot be opened
// as a SQLite database (messages name the file); a non-empty target, or a source row the
// target refuses (e.g. too long for a VARCHAR(255)): kRuleViolation.
Result<CopyCounts> copy_sqlite_database(const config::Config& config,
                                        const std::string& source_file, bool replace);

struct BackupSummary {
  long long pages = 0;  // database pages copied
  long long bytes = 0;  // size of the backup file
};

// Copies the configured SQLite database into the new file `target` while servers run on it
// (storage::backup_sqlite: one consistent snapshot, mode 0600, integrity-checked, never
// overwriting). On PostgreSQL and MySQL: kRuleViolation whose message gives the pg_dump or
// mariadb-dump command for the configured database instead. An in-memory or URI database
// file: kInvalidArgument naming AUTOMATION_DB_FILE. Other errors as storage::backup_sqlite.
Result<BackupSummary> backup_database(const config::Config& config, const std::string& target);

struct RestoreSummary {
  std::string replaced_kept_as;  // where the replaced database was moved; empty if none
};

// Puts the SQLite backup `backup_file` in the place of the configured database, refused while
// any process has it open (storage::restore_sqlite). On PostgreSQL and MySQL: kRuleViolation
// naming pg_restore or the mariadb client instead. `now` names the file kept aside.
Result<RestoreSummary> restore_database(const config::Config& config,
                                        const std::string& backup_file,
                                        std::chrono::system_clock::time_point now);

}  // namespace automation::app
