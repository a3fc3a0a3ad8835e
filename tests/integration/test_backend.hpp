#pragma once

// Which database the integration suite runs the server on, and throw-away PostgreSQL
// databases for it. The backend of a whole run is chosen by AUTOMATION_TEST_DB
// (`sqlite`, the default, or `postgresql`); the PostgreSQL server is the one named by
// AUTOMATION_TEST_PG_HOST, _PORT, _USER, _PASSWORD (scripts/test.sh starts one; the user
// needs CREATEDB).

#include <optional>
#include <string>

namespace automation::testing {

enum class TestBackend { kSqlite, kPostgresql };

// The backend of this run (AUTOMATION_TEST_DB); throws on an unknown value.
TestBackend run_backend();

// Connection settings of the PostgreSQL test server.
struct PgServer {
  std::string host;
  int port = 5432;
  std::string user;
  std::string password;
};

// The test server from the environment, or nullopt when AUTOMATION_TEST_PG_HOST is unset.
std::optional<PgServer> pg_test_server();

// A fresh, empty database on the test server, dropped (with any connection still open to
// it) by the destructor. Throws std::runtime_error when the server cannot be reached.
class ScratchPgDatabase {
 public:
  explicit ScratchPgDatabase(PgServer server);
  ~ScratchPgDatabase();
  ScratchPgDatabase(const ScratchPgDatabase&) = delete;
  ScratchPgDatabase& operator=(const ScratchPgDatabase&) = delete;

  const PgServer& server() const { return server_; }
  const std::string& name() const { return name_; }
  // Runs one statement in this database; returns the first column of the first row
  // ("" when none). Throws on error.
  std::string query(const std::string& statement) const;

 private:
  PgServer server_;
  std::string name_;
};

}  // namespace automation::testing
