// Database: opening, per-connection settings, the transaction helper, and start-up
// under concurrency (SQLite; PostgreSQL only where no server is needed).

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "automation/storage/database.hpp"
#include "automation/storage/migrations.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/sql_settings_store.hpp"
#include "automation/storage/sqlite_file_lock.hpp"
#include "test_database.hpp"

namespace automation::storage {
namespace {

using contract::TempDir;

DatabaseOptions sqlite_at(const std::filesystem::path& file) {
  DatabaseOptions options;
  options.file = file.string();
  return options;
}

TEST(Database, UnknownTypeIsInvalidArgument) {
  DatabaseOptions options;
  options.type = "oracle";
  auto db = Database::open(options);
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(db.error().message.find("unknown database type"), std::string::npos);

  // MySQL needs a database name (and refuses PostgreSQL's sslmode) before connecting.
  options.type = "mysql";
  auto mysql = Database::open(options);
  ASSERT_FALSE(mysql.has_value());
  EXPECT_EQ(mysql.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(mysql.error().fields.contains("name"));
  options.name = "automation";
  options.sslmode = "require";
  auto tls = Database::open(options);
  ASSERT_FALSE(tls.has_value());
  EXPECT_TRUE(tls.error().fields.contains("sslmode"));
}

TEST(Database, EmptyFileNameIsInvalidArgument) {
  DatabaseOptions options;
  options.file = "";
  auto db = Database::open(options);
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
}

TEST(Database, MissingDirectoryIsUnavailable) {
  TempDir dir;
  auto db = Database::open(sqlite_at(dir.path() / "no" / "such" / "dir" / "app.db"));
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(db.error().message.find("app.db"), std::string::npos);
}

// `db restore` must never replace a file in use: every open database holds the shared lock
// that restore takes exclusively (SqliteFileLock), until the last Database on it is gone.
TEST(Database, HoldsItsFilesSharedLockWhileOpen) {
  TempDir dir;
  const std::string file = (dir.path() / "app.db").string();
  const mode_t umask_before = ::umask(077);  // as a root shell's may be
  {
    auto db = Database::open(sqlite_at(file));
    ASSERT_TRUE(db.has_value()) << db.error().message;
    auto second = Database::open(sqlite_at(file));  // users share it
    ASSERT_TRUE(second.has_value()) << second.error().message;
    db->reset();
    auto restore = SqliteFileLock::exclusive_now(file);
    ASSERT_FALSE(restore.has_value()) << "taken while a database was still open";
    EXPECT_EQ(restore.error().code, ErrorCode::kRuleViolation);
    EXPECT_NE(restore.error().message.find(file + ".lock"), std::string::npos)
        << restore.error().message;
  }
  EXPECT_TRUE(SqliteFileLock::exclusive_now(file).has_value()) << "not released at close";
  ::umask(umask_before);
  struct stat st {};
  ASSERT_EQ(::stat((file + ".lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u) << "other accounts could not lock it";
}

TEST(Database, FileThatIsNotADatabaseIsUnavailable) {
  TempDir dir;
  const auto file = dir.path() / "notes.txt";
  std::ofstream(file) << std::string(4096, 'x');
  auto db = Database::open(sqlite_at(file));
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(db.error().message.empty());
}

TEST(Database, FileNamesWithSpacesAndEqualsSignsWork) {
  TempDir dir;
  const auto file = dir.path() / "my data=1.db";
  {
    auto db = Database::open(sqlite_at(file));
    ASSERT_TRUE(db.has_value()) << db.error().message;
    SqlSettingsStore settings(**db);
    ASSERT_TRUE(settings.put_setting_if_absent("k", "v").has_value());
  }
  EXPECT_TRUE(std::filesystem::exists(file));
}

TEST(Database, InMemoryDatabaseUsesASingleConnection) {
  DatabaseOptions options;
  options.file = ":memory:";
  options.pool_size = 8;
  auto db = Database::open(options);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ((*db)->pool_size(), 1u);
  SqlSettingsStore settings(**db);
  ASSERT_TRUE(settings.put_setting_if_absent("k", "v").has_value());
  auto read = settings.get_setting("k");
  ASSERT_TRUE(read.has_value() && read->has_value());
}

TEST(Database, EverySqliteConnectionIsConfigured) {
  TempDir dir;
  DatabaseOptions options = sqlite_at(dir.path() / "app.db");
  options.pool_size = 3;
  auto db = Database::open(options);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  for (int i = 0; i < 6; ++i) {
    auto checked = (*db)->with_session([](soci::session& sql) -> Status {
      std::string mode;
      int foreign_keys = 0, busy_timeout = 0, synchronous = 0;
      sql << "PRAGMA journal_mode", soci::into(mode);
      sql << "PRAGMA foreign_keys", soci::into(foreign_keys);
      sql << "PRAGMA busy_timeout", soci::into(busy_timeout);
      sql << "PRAGMA synchronous", soci::into(synchronous);
      EXPECT_EQ(mode, "wal");
      EXPECT_EQ(foreign_keys, 1);
      EXPECT_EQ(busy_timeout, 5000);
      EXPECT_EQ(synchronous, 1);  // NORMAL
      return {};
    });
    ASSERT_TRUE(checked.has_value());
  }
}

TEST(Database, TransactionCommitsValuesAndRollsBackErrors) {
  TempDir dir;
  auto db = Database::open(sqlite_at(dir.path() / "app.db"));
  ASSERT_TRUE(db.has_value()) << db.error().message;
  Database& database = **db;
  auto insert = [](const char* key) {
    return [key](soci::session& sql) {
      const std::string k(key);
      sql << "INSERT INTO settings (key, value) VALUES (:k, 'v')", soci::use(k);
    };
  };

  auto committed = database.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<int> {
    insert("kept")(sql);
    return 7;
  });
  ASSERT_TRUE(committed.has_value());
  EXPECT_EQ(*committed, 7);

  auto refused = database.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    insert("dropped")(sql);
    return fail(ErrorCode::kRuleViolation, "changed my mind");
  });
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kRuleViolation);
  EXPECT_EQ(refused.error().message, "changed my mind");

  auto broken = database.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    insert("also dropped")(sql);
    sql << "INSERT INTO no_such_table VALUES (1)";
    return {};
  });
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().code, ErrorCode::kInternal);

  auto duplicate = database.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    insert("kept")(sql);
    return {};
  });
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(duplicate.error().message.find("kept"), std::string::npos);  // no values leak

  SqlSettingsStore settings(database);
  EXPECT_TRUE(settings.get_setting("kept").value().has_value());
  EXPECT_FALSE(settings.get_setting("dropped").value().has_value());
  EXPECT_FALSE(settings.get_setting("also dropped").value().has_value());
}

// Real processes, released together, racing to create and migrate one fresh file.
TEST(Database, ProcessesOpeningOneFreshFileAllSucceed) {
  TempDir dir;
  const DatabaseOptions options = sqlite_at(dir.path() / "shared.db");
  int gate[2];
  ASSERT_EQ(::pipe(gate), 0);
  constexpr int kProcesses = 4;
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(gate[1]);
      char byte = 0;
      (void)!::read(gate[0], &byte, 1);  // returns at EOF, when the parent opens the gate
      bool ok = false;
      {
        auto db = Database::open(options);
        if (!db) {
          std::fprintf(stderr, "child %d: %s\n", i, db.error().message.c_str());
        } else {
          ok = current_schema_version(**db).value_or(-1) == latest_schema_version();
        }
      }
      ::_exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  ::close(gate[0]);
  ::close(gate[1]);
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto db = Database::open(options);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ(current_schema_version(**db).value_or(-1), latest_schema_version());
}

TEST(Database, PostgresqlConnectStringQuotesEveryValue) {
  DatabaseOptions options;
  options.type = "postgresql";
  options.name = "automation";
  options.host = "db.local";
  options.port = 5433;
  options.user = "app";
  options.password = "p'a ss\\ host=evil";
  EXPECT_EQ(postgresql_connect_string(options),
            "dbname='automation' host='db.local' port='5433' user='app' "
            "password='p\\'a ss\\\\ host=evil' options='-c client_min_messages=warning'");
  options.host.clear();
  options.password.clear();
  EXPECT_EQ(postgresql_connect_string(options),
            "dbname='automation' port='5433' user='app' "
            "options='-c client_min_messages=warning'");
  options.sslmode = "verify-full";
  EXPECT_EQ(postgresql_connect_string(options),
            "dbname='automation' port='5433' user='app' sslmode='verify-full' "
            "options='-c client_min_messages=warning'");
}

TEST(Database, UnreachablePostgresqlIsUnavailableOrUnsupported) {
  DatabaseOptions options;
  options.type = "postgresql";
  options.host = "127.0.0.1";
  options.port = 1;  // nothing listens there
  options.name = "automation";
  options.password = "do-not-print-me";
  auto db = Database::open(options);
  ASSERT_FALSE(db.has_value());
#ifdef AUTOMATION_TEST_HAVE_POSTGRESQL
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
#else
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
#endif
  EXPECT_EQ(db.error().message.find("do-not-print-me"), std::string::npos);
}

}  // namespace
}  // namespace automation::storage
