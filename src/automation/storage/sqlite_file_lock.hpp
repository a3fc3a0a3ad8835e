#pragma once

// Who has a SQLite database open, so that `automation db restore` never replaces a file that a
// server (or a command) is using.
//
// Every process that opens a SQLite database holds a shared lock on "<database>.lock" for as
// long as it has it open (Database::open takes it); a restore takes the same lock exclusively
// and refuses at once when it cannot. Why this design:
// - flock(2), not fcntl(2) record locks: SQLite itself uses fcntl locks on the database, and an
//   fcntl lock is dropped when the process closes *any* descriptor of that file (which would
//   silently end ours whenever SQLite or SqliteChangeWatch closes one); a flock belongs to its
//   own open file description. Both kinds go away with the process, so a server killed with
//   SIGKILL leaves no stale lock behind (unlike a PID file, which would need guessing).
// - A separate file, not the database itself: a restore replaces the database file by a
//   rename, and a lock on the old inode would say nothing about the new one; the lock file is
//   never replaced or removed, so every process locks the same inode. It holds no data.
// - Shared for users, exclusive for restore: several servers and commands may share one
//   database at once; a restore must be alone. Users wait for a restore in progress (it takes
//   seconds), while a restore never waits: an operator who forgot to stop a server is told so.
// - SQLite's own locks cannot tell "nobody has it open": in WAL mode readers hold no lock on
//   the database file between transactions.

#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::storage {

// A SQLite database name that is a file on disk, to lock, back up or restore: not ":memory:"
// and not a "file:" URI.
bool names_sqlite_file(std::string_view database_file);

class SqliteFileLock {
 public:
  // "<database_file>.lock".
  static std::string path_for(const std::string& database_file);

  // The lock every process holds while it has the database open; waits while a restore holds
  // it. Creates the lock file (mode 0644, whatever the umask, so a service account can lock
  // a file created by root) when missing. kUnavailable when it cannot be opened or locked.
  static Result<SqliteFileLock> shared(const std::string& database_file);

  // The lock of a restore, taken without waiting. kRuleViolation, naming the lock file, while
  // any process holds it; kUnavailable when the lock file cannot be opened.
  static Result<SqliteFileLock> exclusive_now(const std::string& database_file);

  SqliteFileLock(SqliteFileLock&& other) noexcept;
  SqliteFileLock& operator=(SqliteFileLock&& other) noexcept;
  SqliteFileLock(const SqliteFileLock&) = delete;
  SqliteFileLock& operator=(const SqliteFileLock&) = delete;
  ~SqliteFileLock();

 private:
  explicit SqliteFileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace automation::storage
