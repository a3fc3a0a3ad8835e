#pragma once

// The operator's database commands (`automation db migrate`, `automation db copy`): they
// work on the configured database without the start-up bootstrap (no roles seeded, no
// system user, no secret generated), so a fresh target stays empty for a copy.

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

}  // namespace automation::app
