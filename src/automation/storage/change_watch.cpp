#include "automation/storage/change_watch.hpp"

#include <sqlite3.h>

namespace automation::storage {

Result<std::unique_ptr<SqliteChangeWatch>> SqliteChangeWatch::open(const std::string& file) {
  std::unique_ptr<SqliteChangeWatch> watch(new SqliteChangeWatch());
  for (Probe& probe : watch->probes_) {
    const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(file.c_str(), &probe.db, flags, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(probe.db, "PRAGMA data_version", -1, &probe.statement, nullptr) !=
            SQLITE_OK) {
      return fail(ErrorCode::kUnavailable, "cannot open the database to watch it for changes");
    }
    sqlite3_busy_timeout(probe.db, 5000);
    watch->observe(probe);
  }
  return watch;
}

SqliteChangeWatch::~SqliteChangeWatch() {
  for (Probe& probe : probes_) {
    sqlite3_finalize(probe.statement);
    sqlite3_close(probe.db);
  }
}

// Correctness: a commit at time t is seen by every probe reading after t whose last
// reading predates t; a probe whose last reading is after t moved the generation then,
// under the same mutex, before anyone could read through it again.
std::int64_t SqliteChangeWatch::observe(Probe& probe) {
  const bool ok = sqlite3_step(probe.statement) == SQLITE_ROW;
  const std::int64_t value = ok ? sqlite3_column_int64(probe.statement, 0) : 0;
  sqlite3_reset(probe.statement);
  if (!ok || value != probe.last) {
    probe.last = value;
    return generation_.fetch_add(1) + 1;
  }
  return generation_.load();
}

std::int64_t SqliteChangeWatch::version() {
  const std::size_t start = next_.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < kConnections; ++i) {
    Probe& probe = probes_[(start + i) % kConnections];
    std::unique_lock lock(probe.mutex, std::try_to_lock);
    if (lock.owns_lock()) return observe(probe);
  }
  Probe& probe = probes_[start % kConnections];
  const std::lock_guard lock(probe.mutex);
  return observe(probe);
}

}  // namespace automation::storage
