#pragma once

// Test support: fresh, throw-away databases for the contract tests, one per test.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <ostream>
#include <memory>
#include <string>

#include "automation/core/error.hpp"
#include "automation/storage/database.hpp"

namespace automation::storage::contract {

// A unique directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One empty database for one test; destroying it drops the database.
class TestDatabase {
 public:
  virtual ~TestDatabase() = default;
  // Options that open this database.
  virtual const DatabaseOptions& options() const = 0;
  // The database opened (and migrated) when the TestDatabase was made.
  Database& db() { return *db_; }
  // Opens the same database again, as a second process would.
  Result<std::unique_ptr<Database>> open_again() const { return Database::open(options()); }

 protected:
  std::unique_ptr<Database> db_;
};

// A database engine the suite runs on: make() returns nullptr (the test is skipped,
// with `skip_reason`) when that engine is not available here.
struct Backend {
  std::string name;
  std::function<std::unique_ptr<TestDatabase>()> make;
  std::string skip_reason;
};

// Test names and ctest listings show the engine's name, not the struct's bytes.
inline void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }

// SQLite in a fresh temp directory.
Backend sqlite_backend();
// PostgreSQL: a fresh database per test on the server named by AUTOMATION_TEST_PG_HOST
// (+ _PORT, _USER, _PASSWORD; the user needs CREATEDB). Unavailable when unset.
Backend postgresql_backend();

// MySQL/MariaDB: a fresh database per test on the server named by
// AUTOMATION_TEST_MYSQL_HOST (+ _PORT, _USER, _PASSWORD; the user may create databases).
Backend mysql_backend();

// A name part no other test process running at the same time will produce (pid, counter,
// random), for databases and files that concurrent ctest processes share a namespace for.
std::string unique_suffix();

// Runs one statement on a MySQL server (in `database` when given) as `server`'s user.
void mysql_admin_exec(const DatabaseOptions& server, const std::string& statement,
                      const std::string& database = "");

// Every engine, for INSTANTIATE_TEST_SUITE_P, and the test-name generator to go with it.
inline auto all_backends() {
  return ::testing::Values(sqlite_backend(), postgresql_backend(), mysql_backend());
}
inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

}  // namespace automation::storage::contract
