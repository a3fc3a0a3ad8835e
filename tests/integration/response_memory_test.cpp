// Security review 2 (#1): clients that never read their answers pinned one rendered user list
// each. Answers not yet written are counted against AUTOMATION_RESPONSE_MEMORY_MIB: past it big
// answers get 503 with Retry-After (counted in a metric), small ones and other clients keep
// being served, and pages that reach past the end share one text. The full bar (20,000 users,
// 500 stalled readers, resident memory) is bench/response_memory.sh; this is its small model.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "controls_server.hpp"
#include "raw_connection.hpp"
#include "sqlite_file.hpp"
#include "test_backend.hpp"

namespace automation::testing {
namespace {

using std::chrono::milliseconds;

// The whole list: about 6 MB, more than the kernel's socket buffers take off a stalled write
// (tcp_wmem's maximum is 4 MiB), so a reader that does not read keeps it in the server.
constexpr int kSeededUsers = 30000;

// Adds `count` operators straight into the SQLite file, as bench/seed.py does (20,000
// sign-ups over HTTP would take minutes of password hashing).
void seed_users(const ServerProcess& server, int count) {
  const std::string sql =
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
      std::to_string(count) +
      ") INSERT INTO users (identifier, username, role_id, email, password, name, lastname) "
      "SELECT printf('%016x', 1000000 + i), printf('seed_%06d', i), "
      "(SELECT id FROM roles WHERE lower(name) = 'operator'), printf('seed_%06d@test.local', i), "
      "'seeded-user-cannot-log-in', 'Name' || i, 'Lastname' || i FROM n";
  ASSERT_EQ(sqlite_execute(server.db_file(), sql), "");
}

// A client that asks for `target` and never reads the answer (a 4 KiB receive buffer: the
// server's write of a big answer stalls).
std::unique_ptr<Connection> stalled_request(int port, const std::string& target,
                                            const std::string& key) {
  auto connection = std::make_unique<Connection>(port, "127.0.0.1", 4096);
  connection->send_text("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: " + key +
                        "\r\n\r\n");
  return connection;
}

// The status line the stalled client got ("" when nothing arrived in time).
std::string status_line_of(Connection& connection) {
  const std::string head = connection.read_some(milliseconds(2000));
  return head.substr(0, head.find("\r\n"));
}

class ResponseMemory : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_backend() != TestBackend::kSqlite) {
      GTEST_SKIP() << "HTTP write path, not storage: the SQLite run covers it";
    }
    server_ = std::make_unique<ControlsServer>(Env{{"AUTOMATION_RESPONSE_MEMORY_MIB", "16"},
                                                   {"AUTOMATION_METRICS", "on"},
                                                   {"AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS", "500"},
                                                   {"AUTOMATION_WRITE_TIMEOUT", "60"}});
    seed_users(server_->process(), kSeededUsers);
    // The listing moves with the seeding: wait until the server lists them.
    const auto first = server_->http().get("/api/users/?page=1&limit=1",
                                           api_key(server_->system_key()));
    ASSERT_EQ(first.status, 200) << first.body;
    ASSERT_GE(first.json().at("pagination").at("total_records").get<int>(), kSeededUsers);
  }

  std::unique_ptr<ControlsServer> server_;
};

// Clients stall, one after another, on eight different big pages (5-6 MB each, 16 MiB
// allowed): the answers past the budget are 503 with Retry-After and counted, while a page of
// 20 and the ping are still answered, to them and to everyone else.
TEST_F(ResponseMemory, StalledReadersOfBigListsGet503PastTheBudgetAndOthersAreServed) {
  const int port = server_->process().port();
  std::vector<std::unique_ptr<Connection>> stalled;
  int ok = 0;
  int busy = 0;
  for (int i = 0; i < 8; ++i) {
    stalled.push_back(stalled_request(
        port, "/api/users/?page=1&limit=" + std::to_string(28000 + 250 * i),
        server_->system_key()));
    const std::string status = status_line_of(*stalled.back());
    if (status == "HTTP/1.1 200 OK") ++ok;
    if (status == "HTTP/1.1 503 Service Unavailable") ++busy;
  }
  EXPECT_EQ(ok + busy, 8);
  EXPECT_GE(ok, 2) << "two answers of 5-6 MB fit in 16 MiB";
  EXPECT_LE(ok, 3) << "more than three do not";

  const auto page = server_->http().get("/api/users/?page=1&limit=20", api_key(server_->system_key()));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(server_->http().get("/api/health/ping").status, 200);
  const auto whole = server_->http().get("/api/users/", api_key(server_->system_key()));
  EXPECT_EQ(whole.status, 503) << "a big answer while the budget is held";
  EXPECT_EQ(whole.header("Retry-After"), "1");
  const auto metrics = server_->http().get("/metrics");
  EXPECT_NE(metrics.body.find("automation_response_memory_rejections_total " +
                              std::to_string(busy + 1)),
            std::string::npos)
      << metrics.body.substr(0, 4000);

  stalled.clear();  // their answers are dropped with their connections: the memory comes back
  HttpResponse again;
  for (int attempt = 0; attempt < 100; ++attempt) {
    again = server_->http().get("/api/users/", api_key(server_->system_key()));
    if (again.status == 200) break;
    std::this_thread::sleep_for(milliseconds(20));  // poll: the server sees the closes
  }
  EXPECT_EQ(again.status, 200);
}

// Pages whose limit reaches past the end hold the same rows: ten stalled clients asking for
// page 1 with ten different limits past the end share one text (about 6 MB, 16 MiB allowed),
// so none is refused; each answer carries its own limit.
TEST_F(ResponseMemory, PagesReachingPastTheEndShareOneText) {
  const int port = server_->process().port();
  std::vector<std::unique_ptr<Connection>> stalled;
  for (int i = 0; i < 10; ++i) {
    stalled.push_back(stalled_request(
        port, "/api/users/?page=1&limit=" + std::to_string(kSeededUsers + 10 + i),
        server_->system_key()));
    EXPECT_EQ(status_line_of(*stalled.back()), "HTTP/1.1 200 OK") << i;
  }

  const auto a = server_->http().get("/api/users/?page=1&limit=40000", api_key(server_->system_key()));
  const auto b = server_->http().get("/api/users/?page=1&limit=50000", api_key(server_->system_key()));
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  EXPECT_TRUE(a.json().at("data") == b.json().at("data")) << "the same rows";
  EXPECT_EQ(a.json().at("pagination").at("limit"), 40000);
  EXPECT_EQ(b.json().at("pagination").at("limit"), 50000);
  EXPECT_EQ(b.json().at("pagination").at("total_pages"), 1);
  // Page 2 of 20000 and page 3 of 10000 both start at row 20000 and reach the end (30000).
  ASSERT_EQ(a.json().at("pagination").at("total_records"), kSeededUsers);
  const auto second = server_->http().get("/api/users/?page=2&limit=20000",
                                          api_key(server_->system_key()));
  const auto third = server_->http().get("/api/users/?page=3&limit=10000",
                                          api_key(server_->system_key()));
  ASSERT_EQ(second.status, 200);
  ASSERT_EQ(third.status, 200);
  EXPECT_EQ(second.json().at("data").size(), 10000u);
  EXPECT_TRUE(second.json().at("data") == third.json().at("data")) << "the same rows";
  EXPECT_EQ(third.json().at("pagination").at("page"), 3);
}

}  // namespace
}  // namespace automation::testing
