#pragma once

// Backing up a live SQLite database and restoring one (`automation db backup` and
// `automation db restore`; docs/operations.md "Backups").

#include <chrono>
#include <string>

#include "automation/core/error.hpp"

namespace automation::storage {

struct SqliteBackupReport {
  long long pages = 0;  // database pages copied
  long long bytes = 0;  // size of the backup file
};

// Copies the SQLite database `database_file` into the new file `target` while other processes
// keep reading and writing it. SQLite's online backup API copies the whole database in one
// step, i.e. from one read snapshot: every transaction committed before the copy began and
// none after it; in WAL mode that holds up no writer. The copy goes to a temporary file (mode
// 0600) in target's directory, is checked with PRAGMA integrity_check and synced, and is then
// renamed to `target`: `target` is either the whole verified copy or absent, and an existing
// `target` is never overwritten. The copy is one file in rollback-journal mode (a server
// opening it switches it to WAL), so reading it leaves no -wal or -shm file beside it.
// Errors (nothing is left behind): kInvalidArgument (field "file") when `database_file` names
// no file (names_sqlite_file); kRuleViolation when `target` exists; kNotFound when there
// is no database file or target's directory does not exist; kUnavailable when a file cannot
// be read or written, the source is not a SQLite database, or the copy fails its check.
Result<SqliteBackupReport> backup_sqlite(const std::string& database_file,
                                         const std::string& target);

struct SqliteRestoreReport {
  // Where the replaced database was moved ("<database>.replaced-<UTC time>", with its -wal or
  // -journal file beside it when it had one); empty when there was no database.
  std::string replaced_kept_as;
};

// Puts the backup `backup_file` (a database of this service: it has the users and
// schema_version tables) in the place of `database_file`, only while no process has that
// database open: it takes SqliteFileLock::exclusive_now first and holds it to the end. The
// backup is copied next to the database (mode 0600; owned like the file it replaces when run
// as root) and checked before anything is moved; the replaced database is checkpointed when it
// can be, then moved aside with its side files, and its -shm (an index SQLite rebuilds) is
// removed, so no WAL of the old database is ever applied to the new one. `now` names the file
// kept aside.
// Errors (nothing changed): kInvalidArgument (field "file") as for backup_sqlite; kNotFound
// when the backup does not exist; kRuleViolation when the
// database is in use, or the backup is not a sound database of this service, or is the
// database itself; kUnavailable for I/O and SQLite errors.
Result<SqliteRestoreReport> restore_sqlite(const std::string& backup_file,
                                           const std::string& database_file,
                                           std::chrono::system_clock::time_point now);

}  // namespace automation::storage
