#pragma once

// Which database the integration suite runs the server on, and throw-away PostgreSQL and
// MySQL databases for it. The backend of a whole run is chosen by AUTOMATION_TEST_DB
// (`sqlite`, the default, `postgresql` or `mysql`); the PostgreSQL server is the one named
// by AUTOMATION_TEST_PG_HOST, _PORT, _USER, _PASSWORD, the MySQL one by
// AUTOMATION_TEST_MYSQL_HOST, ... (scripts/test.sh starts both; the users may create
// databases).

#include <optional>
#include <string>

namespace automation::testing {

enum class TestBackend { kSqlite, kPostgresql, kMysql };

// The backend of this run (AUTOMATION_TEST_DB); throws on an unknown value.
TestBackend run_backend();

// Connection settings of a test database server.
struct DbServer {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;
};
using PgServer = DbServer;

// The test servers from the environment, or nullopt when AUTOMATION_TEST_PG_HOST /
// AUTOMATION_TEST_MYSQL_HOST is unset.
std::optional<DbServer> pg_test_server();
std::optional<DbServer> mysql_test_server();

// A fresh, empty database on a test server, dropped (with any connection still open to
// it) by the destructor. Throws std::runtime_error when the server cannot be reached.
class ScratchDatabase {
 public:
  virtual ~ScratchDatabase() = default;
  const DbServer& server() const { return server_; }
  const std::string& name() const { return name_; }
  // AUTOMATION_DB_TYPE for this database.
  virtual const char* type() const = 0;
  // Runs one statement in this database; returns the first column of the first row
  // ("" when none). Throws on error.
  virtual std::string query(const std::string& statement) const = 0;
  // True while the database holds no table.
  virtual bool empty() const = 0;

 protected:
  explicit ScratchDatabase(DbServer server);
  DbServer server_;
  std::string name_;
};

class ScratchPgDatabase final : public ScratchDatabase {
 public:
  explicit ScratchPgDatabase(DbServer server);
  ~ScratchPgDatabase() override;
  ScratchPgDatabase(const ScratchPgDatabase&) = delete;
  ScratchPgDatabase& operator=(const ScratchPgDatabase&) = delete;
  const char* type() const override { return "postgresql"; }
  std::string query(const std::string& statement) const override;
  bool empty() const override;
};

class ScratchMysqlDatabase final : public ScratchDatabase {
 public:
  explicit ScratchMysqlDatabase(DbServer server);
  ~ScratchMysqlDatabase() override;
  ScratchMysqlDatabase(const ScratchMysqlDatabase&) = delete;
  ScratchMysqlDatabase& operator=(const ScratchMysqlDatabase&) = delete;
  const char* type() const override { return "mysql"; }
  std::string query(const std::string& statement) const override;
  bool empty() const override;
};

// Runs one statement on the MySQL test server (in `database` unless empty) and returns the
// first column of the first row ("" when none). Throws std::runtime_error on error.
std::string mysql_exec(const DbServer& server, const std::string& database,
                       const std::string& statement);

}  // namespace automation::testing
