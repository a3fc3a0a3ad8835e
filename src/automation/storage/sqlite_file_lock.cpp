#include "automation/storage/sqlite_file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace automation::storage {
namespace {

// Opens (creating when missing) the lock file; -1 with errno set on failure.
int open_lock_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) {
    // Created here: 0644 whatever the umask, so whoever runs next (root or the service user)
    // can open it for locking.
    (void)::fchmod(fd, 0644);
    return fd;
  }
  if (errno != EEXIST) return -1;
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
}

Error cannot_open(const std::string& path) {
  return Error::make(ErrorCode::kUnavailable,
                     "cannot open the lock file '" + path + "': " + std::strerror(errno));
}

}  // namespace

bool names_sqlite_file(std::string_view database_file) {
  return !database_file.empty() && database_file != ":memory:" &&
         !database_file.starts_with("file:");
}

std::string SqliteFileLock::path_for(const std::string& database_file) {
  return database_file + ".lock";
}

Result<SqliteFileLock> SqliteFileLock::shared(const std::string& database_file) {
  const std::string path = path_for(database_file);
  const int fd = open_lock_file(path);
  if (fd < 0) return fail(cannot_open(path));
  SqliteFileLock lock(fd);
  int result = 0;
  do {
    result = ::flock(fd, LOCK_SH);
  } while (result != 0 && errno == EINTR);
  if (result != 0) {
    return fail(ErrorCode::kUnavailable,
                "cannot lock '" + path + "': " + std::string(std::strerror(errno)));
  }
  return lock;
}

Result<SqliteFileLock> SqliteFileLock::exclusive_now(const std::string& database_file) {
  const std::string path = path_for(database_file);
  const int fd = open_lock_file(path);
  if (fd < 0) return fail(cannot_open(path));
  SqliteFileLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return fail(ErrorCode::kRuleViolation,
                  "the database '" + database_file +
                      "' is in use by a running server or command (it holds '" + path +
                      "'); stop it first (e.g. systemctl stop automation)");
    }
    return fail(ErrorCode::kUnavailable,
                "cannot lock '" + path + "': " + std::string(std::strerror(errno)));
  }
  return lock;
}

SqliteFileLock::SqliteFileLock(SqliteFileLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

SqliteFileLock& SqliteFileLock::operator=(SqliteFileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

SqliteFileLock::~SqliteFileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace automation::storage
