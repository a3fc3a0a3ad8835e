// The change watch behind the lookup cache: it must move on every commit by any connection
// and stay still otherwise (else the cache would either serve stale data or never hit).

#include "automation/storage/change_watch.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "automation/storage/database.hpp"
#include "test_database.hpp"

namespace automation::storage {
namespace {

class ChangeWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = (dir_.path() / "watched.db").string();
    auto db = Database::open(DatabaseOptions{"sqlite", file_, "", "", "", "", 5432, 2, ""});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    auto watch = SqliteChangeWatch::open(file_);
    ASSERT_TRUE(watch) << watch.error().message;
    watch_ = std::move(*watch);
  }

  // Commits through a connection of its own, as another process would.
  void commit_elsewhere(const std::string& sql) {
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &other), SQLITE_OK);
    sqlite3_busy_timeout(other, 5000);
    EXPECT_EQ(sqlite3_exec(other, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
  }

  contract::TempDir dir_;
  std::string file_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<SqliteChangeWatch> watch_;
};

// The fast path is what makes a cached lookup cost no database round trip.
TEST_F(ChangeWatchTest, ReadsTheWalIndexHeader) { EXPECT_TRUE(watch_->reads_wal_index()); }

// Another process opening the database must find the server's shared lock on the -shm file:
// were it lost, the newcomer would truncate and rebuild the -shm under the server (which died
// of SIGBUS that way while the CLI wrote beside it). F_GETLK from this process cannot see its
// own locks, so a child process asks.
TEST_F(ChangeWatchTest, KeepsTheSharedMemoryLockOfTheProcess) {
  const std::string shm = file_ + "-shm";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int fd = ::open(shm.c_str(), O_RDONLY);
    // SQLite's DMS byte: offset 120 + 8 of the -shm file (unix VFS, UNIX_SHM_DMS).
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = 128;
    probe.l_len = 1;
    const bool locked = fd >= 0 && ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type == F_RDLCK;
    ::_exit(locked ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "no shared lock on the -shm DMS byte: another process would reset the WAL-index";
}

TEST_F(ChangeWatchTest, StillWithoutCommits) {
  const auto first = watch_->version();
  EXPECT_EQ(watch_->version(), first);
  EXPECT_EQ(watch_->version(), first);
}

TEST_F(ChangeWatchTest, MovesOnEveryCommit) {
  auto seen = watch_->version();
  for (int i = 0; i < 5; ++i) {
    commit_elsewhere("INSERT INTO settings (key, value) VALUES ('k" + std::to_string(i) +
                     "', 'v')");
    const auto now = watch_->version();
    EXPECT_NE(now, seen) << "commit " << i;
    EXPECT_EQ(watch_->version(), now);
    seen = now;
  }
}

TEST_F(ChangeWatchTest, MovesAcrossCheckpointsThatRestartTheLog) {
  commit_elsewhere("INSERT INTO settings (key, value) VALUES ('a', 'v')");
  const auto before = watch_->version();
  commit_elsewhere("PRAGMA wal_checkpoint(TRUNCATE)");
  commit_elsewhere("INSERT INTO settings (key, value) VALUES ('b', 'v')");
  EXPECT_NE(watch_->version(), before);
}

}  // namespace
}  // namespace automation::storage
