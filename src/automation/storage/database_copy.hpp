#pragma once

// Moving an installation off the embedded default: copies every table of a SQLite
// database into another (migrated) database, typically PostgreSQL or MySQL.

#include <memory>
#include <string>
#include <vector>

#include "automation/core/error.hpp"

namespace automation::storage {

class Database;

// Rows copied into one table.
struct TableCopyCount {
  std::string table;
  long long rows = 0;
};

// What copy_from_sqlite did, in copy order.
struct CopyReport {
  std::vector<TableCopyCount> tables;
};

// The tables copied, in an order that keeps foreign keys satisfied: roles, users,
// sessions, tpts, settings, audit_events, login_failures.
const std::vector<std::string>& copied_tables();

// Opens the SQLite database `file` to copy from. Checked before the target is touched:
// a missing file is kNotFound (opening it would create an empty database there); a file
// that is not a usable SQLite database is kUnavailable (the message names the file).
// The file is opened like any database of this service, so one an older version (or
// PyAutomation) left is first brought to the current schema by the usual additive
// migrations; otherwise it is only read.
Result<std::unique_ptr<Database>> open_sqlite_source(const std::string& file);

// Copies roles, users (hashes as stored), sessions, tpts, settings (the generated TPT
// secret included, so issued tokens stay valid), audit_events and login_failures from
// `source` into `target`, keeping every id so references hold, then moves the target's id
// sequences past the copied ids (PostgreSQL; MySQL moves AUTO_INCREMENT by itself). The
// source is read in one snapshot and the target written in one transaction: on any error
// nothing is copied.
// A target holding any row in those tables is refused (kRuleViolation, the message names
// the first non-empty table) unless `replace`, which deletes their rows first, in the same
// transaction; a target holding signatures (append-only) is refused even then. Signatures, their keys and the sessions that signed are copied too, and so are the OpenID Connect clients, codes and refresh tokens. Driver failures map as in Database::transaction.
Result<CopyReport> copy_database(Database& source, Database& target, bool replace);

}  // namespace automation::storage
