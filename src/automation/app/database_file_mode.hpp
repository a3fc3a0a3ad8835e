#pragma once

// Who may read the SQLite database: it holds password hashes and session digests and, unless
// they are set elsewhere, the TPT secret and the audit key. New files are created 0600
// (storage::Database::open); an existing file keeps its mode, and the server says so at start.

#include <string>
#include <vector>

#include "automation/config/config.hpp"

namespace automation::app {

// The SQLite database file and its -wal and -shm files that group or others may read or
// write, each as "<path> (mode 0644)"; empty when all are private, missing, in memory, or
// the database is not SQLite.
std::vector<std::string> database_files_others_can_read(const config::DatabaseConfig& database);

}  // namespace automation::app
