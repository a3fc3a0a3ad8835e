// The database going away under a PostgreSQL- or MySQL-backed node (issues 7, 11): requests
// that need it get 503 "Database unavailable" with Retry-After, /api/health is 503, no cached
// key is accepted while a revocation may have been missed, and the node recovers by itself.
//
// The outage is made without stopping the shared test server. PostgreSQL: the node's
// database refuses new connections (CONNECTION LIMIT 0) and its open ones are terminated;
// lifting the limit brings it back. MySQL: the node logs in with an account of its own,
// which is locked and whose connections are killed; unlocking it brings it back.

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

class DatabaseOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_backend() == TestBackend::kSqlite) {
      GTEST_SKIP() << "a database server outage (runs in the pg. and my. suites)";
    }
  }
};

// Runs `statement` from the server's maintenance database (the node's own database refuses
// connections during the outage).
void run_from_outside(const ScratchDatabase& db, const std::string& statement) {
  const PgServer& server = db.server();
  const std::string conninfo = "host=" + server.host + " port=" + std::to_string(server.port) +
                               " user=" + server.user + " password=" + server.password +
                               " dbname=postgres";
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), statement.c_str()),
                                                       &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  ASSERT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
      << statement << ": " << PQerrorMessage(conn.get());
}

// A MySQL account for one node, so that locking it cuts off that node alone; dropped at
// the end. Its settings go into the node's environment.
class MysqlNodeAccount {
 public:
  MysqlNodeAccount() : server_(*mysql_test_server()) {
    name_ = "automation_node_" + std::to_string(::getpid());
    mysql_exec(server_, "", "CREATE USER '" + name_ + "'@'127.0.0.1' IDENTIFIED BY '" +
                                kPassword + "'");
    mysql_exec(server_, "", "GRANT ALL PRIVILEGES ON *.* TO '" + name_ + "'@'127.0.0.1'");
  }
  ~MysqlNodeAccount() {
    try {
      mysql_exec(server_, "", "DROP USER IF EXISTS '" + name_ + "'@'127.0.0.1'");
    } catch (...) {
    }
  }
  std::map<std::string, std::string> env() const {
    return {{"AUTOMATION_DB_USER", name_}, {"AUTOMATION_DB_PASSWORD", kPassword}};
  }
  void lock() const {
    mysql_exec(server_, "", "ALTER USER '" + name_ + "'@'127.0.0.1' ACCOUNT LOCK");
    mysql_exec(server_, "", "KILL CONNECTION USER '" + name_ + "'");  // MariaDB's form
  }
  void unlock() const {
    mysql_exec(server_, "", "ALTER USER '" + name_ + "'@'127.0.0.1' ACCOUNT UNLOCK");
  }

 private:
  static constexpr const char* kPassword = "node-account-Passw0rd";
  DbServer server_;
  std::string name_;
};

void cut_off(const ServerProcess& server, const MysqlNodeAccount* account) {
  if (account != nullptr) return account->lock();
  const ScratchDatabase& db = *server.server_database();
  run_from_outside(db, "ALTER DATABASE " + db.name() + " CONNECTION LIMIT 0");
  run_from_outside(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                           db.name() + "'");
}

void restore(const ServerProcess& server, const MysqlNodeAccount* account) {
  if (account != nullptr) return account->unlock();
  const ScratchDatabase& db = *server.server_database();
  run_from_outside(db, "ALTER DATABASE " + db.name() + " CONNECTION LIMIT -1");
}

TEST_F(DatabaseOutage, NodeAnswers503WithoutStaleYesAndRecoversByItself) {
  std::unique_ptr<MysqlNodeAccount> account;
  if (run_backend() == TestBackend::kMysql) account = std::make_unique<MysqlNodeAccount>();
  ServerProcess server(account ? account->env() : std::map<std::string, std::string>{});
  server.start();
  HttpClient http(server.base_url());
  const auto login =
      http.post("/api/users/login", json{{"username", "system"}, {"password", kSystemPassword}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string key = login.json().at("apiKey");
  remember_secret(key);
  ASSERT_EQ(http.get("/api/users/roles/", api_key(key)).status, 200);  // now cached

  // Load throughout: clients keep asking while the database goes and comes back. They may
  // only ever see 200 or 503 (never 500, never a 401 for a key that is valid).
  std::atomic<bool> loading{true};
  std::atomic<int> unexpected{0};
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&] {
      HttpClient client(server.base_url());
      while (loading.load()) {
        const long status = client.get("/api/users/roles/", api_key(key)).status;
        if (status != 200 && status != 503) ++unexpected;
        ++answered;
      }
    });
  }
  cut_off(server, account.get());
  for (const char* path : {"/api/users/roles/", "/api/users/me"}) {
    const auto refused = http.get(path, api_key(key));
    EXPECT_EQ(refused.status, 503) << path << ": " << refused.body;
    EXPECT_EQ(refused.json(), json({{"message", "Database unavailable"}}));
    EXPECT_FALSE(refused.header("Retry-After").empty());
  }
  const auto health = http.get("/api/health");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_EQ(http.get("/api/health/ping").status, 200);  // the process is alive

  restore(server, account.get());
  // Back by itself: the next requests reconnect (each slot on its first use).
  long status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    status = http.get("/api/users/roles/", api_key(key)).status;
    if (status == 200) break;
    EXPECT_EQ(status, 503);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(http.get("/api/health").status, 200);
  loading = false;
  for (auto& client : clients) client.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_GT(answered.load(), 0);
  EXPECT_EQ(server.stop(), 0);
}

// Scale-out (SPEC §7): a revocation acknowledged by node A is enforced by node B for the very
// next request, although B had the key cached (bench/revocation_check.py runs 1,000 trials).
TEST_F(DatabaseOutage, TwoNodesEnforceRevocationsAtOnce) {
  ServerProcess a;
  a.start();
  ServerProcess b({{"AUTOMATION_DB_NAME", a.server_database()->name()}});  // A's database
  b.start();
  HttpClient on_a(a.base_url());
  HttpClient on_b(b.base_url());
  const auto system =
      on_a.post("/api/users/login", json{{"username", "system"}, {"password", kSystemPassword}});
  ASSERT_EQ(system.status, 200) << system.body;
  const std::string system_key = system.json().at("apiKey");
  remember_secret(system_key);
  constexpr int kTrials = 20;
  int stale = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    const std::string name = "node_user_" + std::to_string(trial);
    ASSERT_EQ(on_a.post("/api/users/signup",
                        json{{"username", name},
                             {"email", name + "@plant.example"},
                             {"password", kUserPassword},
                             {"role_name", "operator"}},
                        api_key(system_key))
                  .status,
              200);
    const auto session =
        on_a.post("/api/users/login", json{{"username", name}, {"password", kUserPassword}});
    ASSERT_EQ(session.status, 200);
    const std::string key = session.json().at("apiKey");
    remember_secret(key);
    ASSERT_EQ(on_b.get("/api/users/me", api_key(key)).status, 200);  // cached on B
    if (trial % 2 == 0) {
      ASSERT_EQ(on_a.post_raw("/api/users/logout", "", api_key(key)).status, 200);
      if (on_b.get("/api/users/me", api_key(key)).status != 401) ++stale;
    } else {
      ASSERT_EQ(on_a.del("/api/users/" + name, api_key(system_key)).status, 200);
      if (on_b.get("/api/users/me", api_key(key)).status != 401) ++stale;
    }
  }
  EXPECT_EQ(stale, 0);
  EXPECT_EQ(b.stop(), 0);
  EXPECT_EQ(a.stop(), 0);
}

}  // namespace
}  // namespace automation::testing
