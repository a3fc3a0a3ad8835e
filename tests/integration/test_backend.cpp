#include "test_backend.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "mysql_admin.hpp"

namespace automation::testing {
namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// libpq keyword value, quoted so any character in a password is taken literally.
std::string libpq_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

using PgConnection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

PgConnection connect(const PgServer& server, const std::string& database) {
  const std::string conninfo =
      "host=" + libpq_value(server.host) + " port=" + std::to_string(server.port) +
      " user=" + libpq_value(server.user) + " password=" + libpq_value(server.password) +
      " dbname=" + libpq_value(database) + " options='-c client_min_messages=warning'";
  PgConnection conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot reach the PostgreSQL test server: " +
                             std::string(PQerrorMessage(conn.get())));
  }
  return conn;
}

std::string exec(PGconn* conn, const std::string& statement) {
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn, statement.c_str()),
                                                       &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(statement + ": " + PQerrorMessage(conn));
  }
  if (status == PGRES_TUPLES_OK && PQntuples(result.get()) > 0 && PQnfields(result.get()) > 0) {
    return PQgetvalue(result.get(), 0, 0);
  }
  return {};
}

// Skips every test of a PostgreSQL run, with one line saying why, when no test server is
// configured (scripts/test.sh fails instead under CI).
class BackendEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (run_backend() == TestBackend::kPostgresql && !pg_test_server()) {
      GTEST_SKIP() << "AUTOMATION_TEST_DB=postgresql but AUTOMATION_TEST_PG_HOST is not set: "
                      "PostgreSQL integration tests skipped";
    }
    if (run_backend() == TestBackend::kMysql && !mysql_test_server()) {
      GTEST_SKIP() << "AUTOMATION_TEST_DB=mysql but AUTOMATION_TEST_MYSQL_HOST is not set: "
                      "MySQL integration tests skipped";
    }
  }
};

[[maybe_unused]] ::testing::Environment* const kBackendEnvironment =
    ::testing::AddGlobalTestEnvironment(new BackendEnvironment);

}  // namespace

TestBackend run_backend() {
  const char* value = env("AUTOMATION_TEST_DB");
  if (value == nullptr || std::string(value) == "sqlite") return TestBackend::kSqlite;
  if (std::string(value) == "postgresql") return TestBackend::kPostgresql;
  if (std::string(value) == "mysql") return TestBackend::kMysql;
  throw std::runtime_error("AUTOMATION_TEST_DB must be sqlite, postgresql or mysql");
}

namespace {

std::optional<DbServer> server_from_env(const std::string& prefix) {
  const char* host = env((prefix + "HOST").c_str());
  if (host == nullptr) return std::nullopt;
  DbServer server;
  server.host = host;
  if (const char* port = env((prefix + "PORT").c_str())) server.port = std::atoi(port);
  if (const char* user = env((prefix + "USER").c_str())) server.user = user;
  if (const char* password = env((prefix + "PASSWORD").c_str())) server.password = password;
  return server;
}

}  // namespace

std::optional<DbServer> pg_test_server() { return server_from_env("AUTOMATION_TEST_PG_"); }

std::optional<DbServer> mysql_test_server() { return server_from_env("AUTOMATION_TEST_MYSQL_"); }

ScratchDatabase::ScratchDatabase(DbServer server) : server_(std::move(server)) {
  // Unique across the test processes ctest runs in parallel, and across reruns.
  static std::atomic<int> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  name_ = "automation_it_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(now % 1000000007);
}

ScratchPgDatabase::ScratchPgDatabase(DbServer server) : ScratchDatabase(std::move(server)) {
  PgConnection admin = connect(server_, "postgres");
  exec(admin.get(), "CREATE DATABASE " + name_);
}

ScratchPgDatabase::~ScratchPgDatabase() {
  try {
    PgConnection admin = connect(server_, "postgres");
    exec(admin.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "dropping " << name_ << ": " << e.what();
  }
}

std::string ScratchPgDatabase::query(const std::string& statement) const {
  PgConnection conn = connect(server_, name_);
  return exec(conn.get(), statement);
}

bool ScratchPgDatabase::empty() const {
  return query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'") ==
         "0";
}

std::string mysql_exec(const DbServer& server, const std::string& database,
                       const std::string& statement) {
  return mysql_admin_query({server.host, server.port, server.user, server.password}, database,
                           statement);
}

ScratchMysqlDatabase::ScratchMysqlDatabase(DbServer server) : ScratchDatabase(std::move(server)) {
  mysql_exec(server_, "", "CREATE DATABASE " + name_);
}

ScratchMysqlDatabase::~ScratchMysqlDatabase() {
  try {
    mysql_exec(server_, "", "DROP DATABASE IF EXISTS " + name_);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "dropping " << name_ << ": " << e.what();
  }
}

std::string ScratchMysqlDatabase::query(const std::string& statement) const {
  return mysql_exec(server_, name_, statement);
}

bool ScratchMysqlDatabase::empty() const {
  return query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()") ==
         "0";
}

}  // namespace automation::testing
