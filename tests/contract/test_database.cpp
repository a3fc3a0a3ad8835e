#include "test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <memory>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <system_error>

#ifdef AUTOMATION_TEST_HAVE_POSTGRESQL
#include <libpq-fe.h>
#endif
#ifdef AUTOMATION_TEST_HAVE_MYSQL
#include "mysql_admin.hpp"
#endif

namespace automation::storage::contract {

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(random() % 1000000);
}

namespace {

class SqliteTestDatabase final : public TestDatabase {
 public:
  SqliteTestDatabase() {
    options_.type = "sqlite";
    options_.file = (dir_.path() / "contract.db").string();
    auto opened = Database::open(options_);
    if (!opened) throw std::runtime_error("cannot open test database: " + opened.error().message);
    db_ = std::move(*opened);
  }
  ~SqliteTestDatabase() override { db_.reset(); }  // close before the directory goes
  const DatabaseOptions& options() const override { return options_; }

 private:
  TempDir dir_;
  DatabaseOptions options_;
};

[[maybe_unused]] const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

#ifdef AUTOMATION_TEST_HAVE_POSTGRESQL

DatabaseOptions server_options() {
  DatabaseOptions options;
  options.type = "postgresql";
  options.host = env("AUTOMATION_TEST_PG_HOST");
  if (const char* port = env("AUTOMATION_TEST_PG_PORT")) options.port = std::atoi(port);
  if (const char* user = env("AUTOMATION_TEST_PG_USER")) options.user = user;
  if (const char* password = env("AUTOMATION_TEST_PG_PASSWORD")) options.password = password;
  options.pool_size = 2;
  return options;
}

// Runs one statement on the server's maintenance database.
void admin_exec(const std::string& statement) {
  DatabaseOptions admin = server_options();
  admin.name = "postgres";
  PGconn* conn = PQconnectdb(postgresql_connect_string(admin).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("cannot reach the PostgreSQL test server: " + why);
  }
  PGresult* result = PQexec(conn, statement.c_str());
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  std::string why = PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(statement + ": " + why);
}

class PostgresqlTestDatabase final : public TestDatabase {
 public:
  PostgresqlTestDatabase() {
    options_ = server_options();
    options_.name = "automation_contract_" + unique_suffix();
    admin_exec("CREATE DATABASE " + options_.name);
    auto opened = Database::open(options_);
    if (!opened) {
      admin_exec("DROP DATABASE IF EXISTS " + options_.name);
      throw std::runtime_error("cannot open test database: " + opened.error().message);
    }
    db_ = std::move(*opened);
  }
  ~PostgresqlTestDatabase() override {
    db_.reset();
    try {
      admin_exec("DROP DATABASE IF EXISTS " + options_.name + " WITH (FORCE)");
    } catch (...) {
    }
  }
  const DatabaseOptions& options() const override { return options_; }

 private:
  DatabaseOptions options_;
};
#endif

#ifdef AUTOMATION_TEST_HAVE_MYSQL
DatabaseOptions mysql_server_options() {
  DatabaseOptions options;
  options.type = "mysql";
  options.host = env("AUTOMATION_TEST_MYSQL_HOST");
  if (const char* port = env("AUTOMATION_TEST_MYSQL_PORT")) options.port = std::atoi(port);
  if (const char* user = env("AUTOMATION_TEST_MYSQL_USER")) options.user = user;
  if (const char* password = env("AUTOMATION_TEST_MYSQL_PASSWORD")) options.password = password;
  options.pool_size = 2;
  return options;
}

class MysqlTestDatabase final : public TestDatabase {
 public:
  MysqlTestDatabase() {
    options_ = mysql_server_options();
    options_.name = "automation_contract_" + unique_suffix();
    mysql_admin_exec(options_, "CREATE DATABASE " + options_.name);
    auto opened = Database::open(options_);
    if (!opened) {
      mysql_admin_exec(options_, "DROP DATABASE IF EXISTS " + options_.name);
      throw std::runtime_error("cannot open test database: " + opened.error().message);
    }
    db_ = std::move(*opened);
  }
  ~MysqlTestDatabase() override {
    db_.reset();
    try {
      mysql_admin_exec(options_, "DROP DATABASE IF EXISTS " + options_.name);
    } catch (...) {
    }
  }
  const DatabaseOptions& options() const override { return options_; }

 private:
  DatabaseOptions options_;
};
#endif

}  // namespace

#ifdef AUTOMATION_TEST_HAVE_MYSQL
void mysql_admin_exec(const DatabaseOptions& server, const std::string& statement,
                      const std::string& database) {
  const automation::testing::MysqlLogin login{server.host, server.port, server.user,
                                             server.password};
  (void)automation::testing::mysql_admin_query(login, database, statement);
}
#endif

TempDir::TempDir() {
  path_ = std::filesystem::temp_directory_path() / ("automation-contract-" + unique_suffix());
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Backend sqlite_backend() {
  return {"Sqlite", [] { return std::unique_ptr<TestDatabase>(new SqliteTestDatabase()); }, ""};
}

Backend postgresql_backend() {
#ifdef AUTOMATION_TEST_HAVE_POSTGRESQL
  if (env("AUTOMATION_TEST_PG_HOST") != nullptr) {
    return {"Postgresql",
            [] { return std::unique_ptr<TestDatabase>(new PostgresqlTestDatabase()); }, ""};
  }
  return {"Postgresql", [] { return std::unique_ptr<TestDatabase>(); },
          "AUTOMATION_TEST_PG_HOST is not set"};
#else
  return {"Postgresql", [] { return std::unique_ptr<TestDatabase>(); },
          "built without PostgreSQL support"};
#endif
}

Backend mysql_backend() {
#ifdef AUTOMATION_TEST_HAVE_MYSQL
  if (env("AUTOMATION_TEST_MYSQL_HOST") != nullptr) {
    return {"Mysql", [] { return std::unique_ptr<TestDatabase>(new MysqlTestDatabase()); }, ""};
  }
  return {"Mysql", [] { return std::unique_ptr<TestDatabase>(); },
          "AUTOMATION_TEST_MYSQL_HOST is not set"};
#else
  return {"Mysql", [] { return std::unique_ptr<TestDatabase>(); },
          "built without MySQL support"};
#endif
}

}  // namespace automation::storage::contract
