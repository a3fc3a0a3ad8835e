#include "automation/storage/sqlite_backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "automation/storage/sqlite_file_lock.hpp"

namespace automation::storage {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// The files SQLite may keep beside a database while it is in use.
constexpr std::string_view kSideSuffixes[] = {"-journal", "-wal", "-shm"};

std::string errno_text() { return std::strerror(errno); }

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string directory_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Data and metadata on disk before the file is renamed into place, and the rename itself
// afterwards (its directory synced): a backup that says "written" survives a power cut.
Status sync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorCode::kUnavailable, "cannot sync '" + path + "': " + errno_text());
  const int result = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (result != 0) {
    errno = saved;
    return fail(ErrorCode::kUnavailable, "cannot sync '" + path + "': " + errno_text());
  }
  return {};
}

// rename(2) that refuses to replace an existing file (atomically, unlike a check first).
Status rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    const ErrorCode code = errno == EEXIST ? ErrorCode::kRuleViolation : ErrorCode::kUnavailable;
    return fail(code, "cannot rename '" + from + "' to '" + to + "': " + errno_text());
  }
  return {};
}

// A file made next to its final place ("<final>.<tag>-XXXXXX", mode 0600) and removed, with
// any side file SQLite left beside it, unless it was renamed into place (keep()).
class StagedFile {
 public:
  static Result<StagedFile> create(const std::string& final_path, std::string_view tag) {
    std::string name = final_path + "." + std::string(tag) + "-XXXXXX";
    std::vector<char> buffer(name.begin(), name.end());
    buffer.push_back('\0');
    const int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
    if (fd < 0) {
      const ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable;
      return fail(code, "cannot create a file in '" + directory_of(final_path) +
                            "': " + errno_text());
    }
    (void)::fchmod(fd, 0600);  // mkstemp's mode already; said here because it matters
    ::close(fd);
    return StagedFile(buffer.data());
  }

  StagedFile(StagedFile&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  StagedFile& operator=(StagedFile&&) = delete;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile() {
    if (path_.empty()) return;
    ::unlink(path_.c_str());
    for (std::string_view suffix : kSideSuffixes) ::unlink((path_ + std::string(suffix)).c_str());
  }

  const std::string& path() const { return path_; }
  // Renamed into place: only side files SQLite may have left under this name go.
  void keep() {
    for (std::string_view suffix : kSideSuffixes) ::unlink((path_ + std::string(suffix)).c_str());
    path_.clear();
  }

 private:
  explicit StagedFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// One SQLite connection, closed when it goes out of scope.
class Connection {
 public:
  static Result<Connection> open(const std::string& file, int flags) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
    Connection connection(db);
    if (rc != SQLITE_OK) {
      const std::string why = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
      return fail(ErrorCode::kUnavailable, "cannot open '" + file + "': " + why);
    }
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    return connection;
  }
  // A database to read from: for reading and writing when allowed, so that when this is its
  // last connection, closing it checkpoints a WAL database and removes its -wal and -shm (a
  // read-only connection would leave them behind); read-only otherwise.
  static Result<Connection> open_to_read(const std::string& file) {
    auto connection = open(file, SQLITE_OPEN_READWRITE);
    if (connection) return connection;
    return open(file, SQLITE_OPEN_READONLY);
  }
  Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  sqlite3* get() const { return db_; }
  // Closing the last connection of a WAL database checkpoints it and removes its -wal and -shm.
  void close() {
    if (db_ != nullptr) sqlite3_close_v2(std::exchange(db_, nullptr));
  }

  // The rows of a one-column query, joined by newlines; nullopt (the reason in `why`) when it
  // fails.
  std::optional<std::string> column(const char* sql, std::string& why) const {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr) != SQLITE_OK) {
      why = sqlite3_errmsg(db_);
      return std::nullopt;
    }
    std::string out;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
      if (!out.empty()) out += '\n';
      out += text != nullptr ? text : "";
    }
    if (rc != SQLITE_DONE) why = sqlite3_errmsg(db_);
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) return std::nullopt;
    return out;
  }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// Copies the database `from` into the empty file `to` from one read snapshot, and checks the
// copy. `what` names the source in messages. Returns the pages copied.
Result<long long> copy_checked(const std::string& from, const std::string& to,
                               const std::string& what) {
  auto source = Connection::open_to_read(from);
  if (!source) return fail(source.error());
  auto target = Connection::open(to, SQLITE_OPEN_READWRITE);
  if (!target) return fail(target.error());
  sqlite3_backup* backup = sqlite3_backup_init(target->get(), "main", source->get(), "main");
  if (backup == nullptr) {
    return fail(ErrorCode::kUnavailable,
                "cannot copy " + what + ": " + std::string(sqlite3_errmsg(target->get())));
  }
  // All pages in one step: the copy is one read transaction on the source, so it is a
  // snapshot, and writers (WAL) go on meanwhile. Copying in slices would restart from the
  // first page after every write by another connection, and might never end under load.
  const int rc = sqlite3_backup_step(backup, -1);
  const long long pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return fail(ErrorCode::kUnavailable,
                "cannot copy " + what + ": " + std::string(sqlite3_errstr(rc)));
  }
  std::string why;
  // The copy has the source's journal mode (WAL); as a rollback-journal file it is one file
  // that even a read-only reader opens without making -wal and -shm files beside it. A server
  // opening it switches it back to WAL.
  if (!target->column("PRAGMA journal_mode = DELETE", why)) {
    return fail(ErrorCode::kUnavailable, "cannot finish the copy of " + what + ": " + why);
  }
  const auto check = target->column("PRAGMA integrity_check", why);
  if (!check) return fail(ErrorCode::kUnavailable, "cannot check the copy of " + what + ": " + why);
  if (*check != "ok") {
    return fail(ErrorCode::kUnavailable, "the copy of " + what +
                                             " fails PRAGMA integrity_check: " +
                                             check->substr(0, check->find('\n')));
  }
  target->close();
  return pages;
}

// Asks SQLite to move the database's WAL into the file itself and close it cleanly, so the
// file kept aside is whole on its own. Best effort: a damaged database is moved aside as it is.
void checkpoint_quietly(const std::string& database_file) {
  auto db = Connection::open(database_file, SQLITE_OPEN_READWRITE);
  if (!db) return;
  std::string ignored;
  (void)db->column("PRAGMA wal_checkpoint(TRUNCATE)", ignored);
}

std::string utc_stamp(std::chrono::system_clock::time_point now) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

// "<database>.replaced-<stamp>", or with "-2", "-3", ... when restores follow within a second.
std::string aside_name(const std::string& database_file, const std::string& stamp) {
  const std::string base = database_file + ".replaced-" + stamp;
  std::string name = base;
  for (int n = 2; exists(name); ++n) name = base + "-" + std::to_string(n);
  return name;
}

// The database and its side files moved to `aside`; undone by put_back().
class MovedAside {
 public:
  MovedAside(std::string database_file, std::string aside)
      : database_(std::move(database_file)), aside_(std::move(aside)) {}

  Status move() {
    if (exists(database_)) {
      if (auto moved = rename_no_replace(database_, aside_); !moved) return moved;
      moved_.emplace_back("");
    }
    for (std::string_view side : {std::string_view("-wal"), std::string_view("-journal")}) {
      const std::string suffix(side);
      if (!exists(database_ + suffix)) continue;
      if (auto moved = rename_no_replace(database_ + suffix, aside_ + suffix); !moved) {
        put_back();
        return moved;
      }
      moved_.push_back(suffix);
    }
    // The index of the old WAL: SQLite rebuilds it, and it must not describe the new file.
    ::unlink((database_ + "-shm").c_str());
    return {};
  }

  void put_back() {
    for (const std::string& suffix : moved_) {
      (void)::rename((aside_ + suffix).c_str(), (database_ + suffix).c_str());
    }
    moved_.clear();
  }

  bool database_moved() const { return !moved_.empty() && moved_.front().empty(); }
  const std::string& aside() const { return aside_; }

 private:
  std::string database_;
  std::string aside_;
  std::vector<std::string> moved_;  // suffixes moved ("" is the database file itself)
};

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The backup holds the tables every database of this service has.
Status check_is_service_database(const std::string& file, const std::string& backup_file) {
  auto db = Connection::open(file, SQLITE_OPEN_READONLY);
  if (!db) return fail(db.error());
  std::string why;
  const auto tables = db->column(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('users', "
      "'schema_version') ORDER BY name",
      why);
  if (!tables) return fail(ErrorCode::kUnavailable, "cannot read '" + backup_file + "': " + why);
  if (*tables != "schema_version\nusers") {
    return fail(ErrorCode::kRuleViolation,
                "'" + backup_file +
                    "' is not a database of this service (it lacks the users or schema_version "
                    "table)");
  }
  return {};
}

// Names the option (DatabaseOptions::file) so the caller can name its setting.
Error not_a_file(const std::string& database_file) {
  Error error = Error::make(ErrorCode::kInvalidArgument,
                            "'" + database_file + "' is not a database file to back up or restore");
  error.fields.emplace("file", error.message);
  return error;
}

}  // namespace

Result<SqliteBackupReport> backup_sqlite(const std::string& database_file,
                                         const std::string& target) {
  if (!names_sqlite_file(database_file)) return fail(not_a_file(database_file));
  if (exists(target)) {
    return fail(ErrorCode::kRuleViolation,
                "'" + target + "' already exists; a backup never overwrites a file: name a new one");
  }
  if (!is_regular_file(database_file)) {
    return fail(ErrorCode::kNotFound, "no SQLite database file at '" + database_file + "'");
  }
  auto staged = StagedFile::create(target, "partial");
  if (!staged) return fail(staged.error());
  auto pages = copy_checked(database_file, staged->path(), "'" + database_file + "'");
  if (!pages) return fail(pages.error());
  if (auto synced = sync_path(staged->path(), false); !synced) return fail(synced.error());
  if (auto renamed = rename_no_replace(staged->path(), target); !renamed) {
    return fail(renamed.error());
  }
  staged->keep();
  if (auto synced = sync_path(directory_of(target), true); !synced) return fail(synced.error());
  SqliteBackupReport report;
  report.pages = *pages;
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) report.bytes = st.st_size;
  return report;
}

Result<SqliteRestoreReport> restore_sqlite(const std::string& backup_file,
                                           const std::string& database_file,
                                           std::chrono::system_clock::time_point now) {
  if (!names_sqlite_file(database_file)) return fail(not_a_file(database_file));
  if (!is_regular_file(backup_file)) {
    return fail(ErrorCode::kNotFound, "no backup file at '" + backup_file + "'");
  }
  std::error_code ignored;
  if (std::filesystem::equivalent(backup_file, database_file, ignored)) {
    return fail(ErrorCode::kRuleViolation,
                "'" + backup_file + "' is the database itself, not a backup of it");
  }
  auto lock = SqliteFileLock::exclusive_now(database_file);
  if (!lock) return fail(lock.error());

  auto staged = StagedFile::create(database_file, "restore");
  if (!staged) return fail(staged.error());
  if (auto pages = copy_checked(backup_file, staged->path(), "the backup '" + backup_file + "'");
      !pages) {
    Error error = std::move(pages).error();
    error.code = ErrorCode::kRuleViolation;  // the backup is unusable; nothing was changed
    return fail(std::move(error));
  }
  if (auto sound = check_is_service_database(staged->path(), backup_file); !sound) {
    return fail(sound.error());
  }
  struct stat replaced {};
  if (::stat(database_file.c_str(), &replaced) == 0 && ::geteuid() == 0) {
    // Run as root on a service's database: the service's account must still own its file.
    (void)::chown(staged->path().c_str(), replaced.st_uid, replaced.st_gid);
  }
  if (auto synced = sync_path(staged->path(), false); !synced) return fail(synced.error());

  checkpoint_quietly(database_file);
  MovedAside aside(database_file, aside_name(database_file, utc_stamp(now)));
  if (auto moved = aside.move(); !moved) return fail(moved.error());
  if (auto renamed = rename_no_replace(staged->path(), database_file); !renamed) {
    aside.put_back();
    return fail(renamed.error());
  }
  staged->keep();
  (void)sync_path(directory_of(database_file), true);  // the rename is done either way
  SqliteRestoreReport report;
  if (aside.database_moved()) report.replaced_kept_as = aside.aside();
  return report;
}

}  // namespace automation::storage
