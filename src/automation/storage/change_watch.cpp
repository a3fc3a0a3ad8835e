#include "automation/storage/change_watch.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <cstring>

namespace automation::storage {
namespace {

// The WAL-index header (native byte order, 48 bytes; two copies at the start of -shm).
struct WalIndexHeader {
  std::uint32_t version;
  std::uint32_t unused;
  std::uint32_t change;
  std::uint8_t is_init;
  std::uint8_t big_endian_checksum;
  std::uint16_t page_size;
  std::uint32_t max_frame;
  std::uint32_t page_count;
  std::uint32_t frame_checksum[2];
  std::uint32_t salt[2];
  std::uint32_t checksum[2];
};
static_assert(sizeof(WalIndexHeader) == 48);
constexpr std::uint32_t kWalIndexVersion = 3007000;
constexpr std::size_t kWalIndexHeaderBytes = 2 * sizeof(WalIndexHeader);

}  // namespace

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
  watch->map_wal_index();
  return watch;
}

// Asks SQLite's own VFS for the mapping of the WAL-index's first region, through the first
// probe's file handle, instead of opening "<file>-shm" ourselves: closing a descriptor of a
// file drops every POSIX lock the process holds on it (fcntl semantics), SQLite's shared lock
// on the -shm "DMS" byte included. Without that lock the next process to open the database
// (the CLI) believes it is alone, truncates and rebuilds the -shm under the server's feet, and
// the server died of SIGBUS on its mapping (found by the crash-consistency test).
bool SqliteChangeWatch::map_wal_index() {
  sqlite3* db = probes_[0].db;
  // Only a database in WAL mode has a WAL-index (and the VFS would create a stray -shm file).
  sqlite3_stmt* mode = nullptr;
  bool wal = false;
  if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &mode, nullptr) == SQLITE_OK &&
      sqlite3_step(mode) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(mode, 0));
    wal = text != nullptr && std::strcmp(text, "wal") == 0;
  }
  sqlite3_finalize(mode);
  if (!wal) return false;
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr || file->pMethods->iVersion < 2 ||
      file->pMethods->xShmMap == nullptr) {
    return false;
  }
  constexpr int kWalIndexRegionBytes = 32768;  // SQLite's WALINDEX_PGSZ
  void volatile* region = nullptr;
  if (file->pMethods->xShmMap(file, 0, kWalIndexRegionBytes, 0, &region) != SQLITE_OK ||
      region == nullptr) {
    return false;
  }
  static_assert(kWalIndexHeaderBytes <= kWalIndexRegionBytes);
  wal_index_ = static_cast<const volatile unsigned char*>(region);
  return true;
}

SqliteChangeWatch::~SqliteChangeWatch() {
  // wal_index_ belongs to the first probe's connection, unmapped as it closes.
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
  if (wal_index_ != nullptr) {
    // As SQLite's walIndexTryHdr: copy 0, barrier, copy 1; the writer stores copy 1 first.
    WalIndexHeader first{};
    WalIndexHeader second{};
    std::atomic_thread_fence(std::memory_order_acquire);
    const auto* header = const_cast<const unsigned char*>(wal_index_);
    std::memcpy(&first, header, sizeof first);
    std::atomic_thread_fence(std::memory_order_acquire);
    std::memcpy(&second, header + sizeof first, sizeof second);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (std::memcmp(&first, &second, sizeof first) == 0 && first.is_init != 0 &&
        first.version == kWalIndexVersion) {
      // Positive: (salt[0], mxFrame). Never equal to the negative "unknown" values below.
      return (static_cast<std::int64_t>(first.salt[0] & 0x7fffffffU) << 32) | first.max_frame;
    }
    // Mid-update (or not WAL any more): a value never returned before, i.e. "changed".
    return -(unknown_.fetch_add(1) + 1);
  }
  return version_from_data_version();
}

std::int64_t SqliteChangeWatch::version_from_data_version() {
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
