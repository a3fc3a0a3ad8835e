#pragma once

// Tells whether anything was committed to the database since the last look, by any
// connection of any process. The lookup cache is valid only while this says "no change".
//
// Fast path: the WAL-index header at the start of the "-shm" file (SQLite's documented
// shared-memory format, https://sqlite.org/walformat.html), read lock-free the way SQLite's
// own readers do (two copies, equal = consistent). Every commit appends frames (mxFrame
// grows) or restarts the WAL (salt changes), so (salt, mxFrame) names the committed state.
// Slow path, when the header is unavailable or mid-update: PRAGMA data_version.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "automation/core/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace automation::storage {

class SqliteChangeWatch {
 public:
  // Dedicated read-only connections to `file` that never write, so their
  // `PRAGMA data_version` changes exactly when another connection commits. Several, so
  // that I/O threads checking at the same moment do not queue behind one mutex.
  static Result<std::unique_ptr<SqliteChangeWatch>> open(const std::string& file);
  ~SqliteChangeWatch();
  SqliteChangeWatch(const SqliteChangeWatch&) = delete;
  SqliteChangeWatch& operator=(const SqliteChangeWatch&) = delete;

  // A generation number that moves on every commit made since it was last read, by any
  // connection of any process. When the check itself fails, the generation moves too
  // (unknown is treated as changed, never as "nothing changed").
  std::int64_t version();

  // Whether the fast path (the WAL-index header) is in use.
  bool reads_wal_index() const { return wal_index_ != nullptr; }

 private:
  static constexpr std::size_t kConnections = 4;

  // One watching connection. Its data_version counts commits by everyone but itself, on
  // its own scale, so each probe compares only with its own last reading.
  struct Probe {
    std::mutex mutex;
    sqlite3* db = nullptr;
    sqlite3_stmt* statement = nullptr;
    std::int64_t last = 0;
  };

  SqliteChangeWatch() = default;
  // Reads the probe's data_version (probe.mutex held) and moves the generation if it changed.
  std::int64_t observe(Probe& probe);
  std::int64_t version_from_data_version();
  // Finds the WAL-index header; false when there is none (not in WAL mode).
  bool map_wal_index();

  // The first WAL-index region as SQLite itself maps it for the first probe (valid while that
  // connection is open); nullptr when the database is not in WAL mode.
  const volatile unsigned char* wal_index_ = nullptr;
  std::atomic<std::int64_t> unknown_{0};      // counts header reads caught mid-update

  std::array<Probe, kConnections> probes_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::int64_t> generation_{1};
};

}  // namespace automation::storage
