#pragma once

// Reading a SQLite database file directly, as an operator with the sqlite3 shell would: to
// check a file's integrity after a crash, or what a backup holds.

#include <filesystem>
#include <string>

namespace automation::testing {

// The rows of a one-column query on `file` (opened for reading and writing, as the server
// does, so a WAL left by a crash is recovered; never created), joined by newlines; a line
// starting with "cannot " when the file cannot be opened or the query fails.
std::string sqlite_query(const std::filesystem::path& file, const std::string& sql);

// Runs `sql` (any number of statements) on `file`, creating it when missing; "" when it
// succeeded, else why not.
std::string sqlite_execute(const std::filesystem::path& file, const std::string& sql);

// PRAGMA integrity_check: "ok" for a sound file.
std::string pragma_integrity_check(const std::filesystem::path& file);

}  // namespace automation::testing
