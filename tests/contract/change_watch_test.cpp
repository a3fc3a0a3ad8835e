// The change watch behind the lookup cache: it must move on every commit by any connection
// and stay still otherwise (else the cache would either serve stale data or never hit).

#include "automation/storage/change_watch.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

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
