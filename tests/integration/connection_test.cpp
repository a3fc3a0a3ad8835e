// Connection-level robustness (issue 8): descriptor exhaustion, the connection limit, read
// timeouts against half-sent requests, and the headers every response carries. Each test
// that needs special settings runs a server of its own; waits are readiness checks (poll)
// with deadlines, never fixed sleeps.

#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "raw_connection.hpp"
#include "server_process.hpp"

namespace automation::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kPingRequest =
    "GET /api/health/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

std::vector<std::unique_ptr<Connection>> open_idle_connections(int port, int count,
                                                               const char* from = "127.0.0.1") {
  std::vector<std::unique_ptr<Connection>> connections;
  connections.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) connections.push_back(std::make_unique<Connection>(port, from));
  return connections;
}

bool starts_with_status(const std::string& response, std::string_view status_line) {
  return response.rfind(status_line, 0) == 0;
}

// The soft RLIMIT_NOFILE of a running process, from /proc/<pid>/limits.
long soft_descriptor_limit(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    return std::stol(line.substr(std::string_view("Max open files").size()));
  }
  return -1;
}

// Issue 8's reproduction: a server with 256 descriptors, a client holding 600 connections,
// then closing them. The connection limit is set above the descriptor limit on purpose, so
// accept() itself fails with EMFILE; the server must accept again once descriptors free up.
TEST(Connections, AcceptsAgainAfterDescriptorExhaustion) {
#if defined(__SANITIZE_ADDRESS__)  // the asan preset builds with -fsanitize=address,undefined
  // UBSan's vptr check validates memory through pipe(): in a process without a free
  // descriptor it reports the next dynamic type it has not cached as an invalid object and
  // aborts. A sanitized server therefore cannot be taken to EMFILE; the release run covers it.
  GTEST_SKIP() << "UBSan's vptr check needs a free descriptor";
#endif
  // One address makes the whole flood: no limit per address here.
  ServerProcess server(std::map<std::string, std::string>{
      {"AUTOMATION_MAX_CONNECTIONS", "1000"}, {"AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS", "1000"}});
  server.set_descriptor_limits(256, 256);
  server.start();
  {
    const auto connections = open_idle_connections(server.port(), 600);
    // Accepting ran into the limit while they were open (the log says so once). A log file
    // has no readiness signal: poll it, bounded.
    const auto deadline = Clock::now() + seconds(10);
    while (server.log().find("accept failed") == std::string::npos && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(10));  // poll interval
    }
    EXPECT_NE(server.log().find("accept failed"), std::string::npos)
        << "the test did not exhaust the server's descriptors; log:\n"
        << server.log();
  }
  // All closed: a ping is answered within a couple of seconds (it waits in the backlog
  // until the server accepts again).
  Connection ping(server.port());
  ping.send_text(kPingRequest);
  bool closed = false;
  const std::string response = ping.read_until_closed(seconds(3), closed);
  EXPECT_TRUE(starts_with_status(response, "HTTP/1.1 200")) << response << "\nlog:\n"
                                                            << server.log();
  EXPECT_NE(server.log().find("accepting connections again"), std::string::npos);
  EXPECT_EQ(server.stop(), 0);
}

// With the default connection limit (derived from the descriptor limit) the same flood never
// makes accept() fail: connections past the limit wait in the backlog.
TEST(Connections, DefaultLimitKeepsAcceptBelowTheDescriptorLimit) {
  ServerProcess server(
      std::map<std::string, std::string>{{"AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS", "1000000"}});
  server.set_descriptor_limits(256, 256);
  server.start();
  HttpClient served(server.base_url());  // keep-alive, connected before the flood
  ASSERT_EQ(served.get("/api/health/ping").status, 200);
  {
    const auto connections = open_idle_connections(server.port(), 600);
    const auto during = served.get("/api/health/ping");
    EXPECT_EQ(during.status, 200) << during.error;
  }
  Connection ping(server.port());
  ping.send_text(kPingRequest);
  bool closed = false;
  const std::string response = ping.read_until_closed(seconds(3), closed);
  EXPECT_TRUE(starts_with_status(response, "HTTP/1.1 200")) << response;
  EXPECT_EQ(server.log().find("accept failed"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("max connections 192"), std::string::npos) << server.log();
  EXPECT_EQ(server.stop(), 0);
}

TEST(Connections, RaisesTheSoftDescriptorLimitToTheHardLimit) {
  ServerProcess server;
  server.set_descriptor_limits(128, 512);
  server.start();
  EXPECT_EQ(soft_descriptor_limit(server.pid()), 512) << server.log();
  EXPECT_EQ(server.stop(), 0);
}

// AUTOMATION_MAX_CONNECTIONS=4 and ten idle clients: a connection already being served keeps
// being served, a new request waits (unanswered) while the limit is reached, and is answered
// as soon as the idle ones go away.
TEST(Connections, ConnectionsPastTheLimitWaitWithoutDisturbingServedOnes) {
  ServerProcess server({{"AUTOMATION_MAX_CONNECTIONS", "4"},
                        {"AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS", "4"},
                        {"AUTOMATION_READ_TIMEOUT", "30"}});
  server.start();
  HttpClient served(server.base_url());  // keep-alive: one of the four slots
  ASSERT_EQ(served.get("/api/health/ping").status, 200);

  auto idle = open_idle_connections(server.port(), 10);  // three get slots, seven wait
  Connection waiting(server.port());
  waiting.send_text(kPingRequest);
  EXPECT_EQ(waiting.read_some(milliseconds(500)), "")
      << "a connection past AUTOMATION_MAX_CONNECTIONS was served";

  const auto again = served.get("/api/health/ping");
  EXPECT_EQ(again.status, 200) << again.error;

  idle.clear();
  bool closed = false;
  const std::string response = waiting.read_until_closed(seconds(5), closed);
  EXPECT_TRUE(starts_with_status(response, "HTTP/1.1 200")) << response;
  EXPECT_EQ(server.stop(), 0);
}

// Clients that reset their connection while it waits in the backlog are accepted by the
// kernel as already-dead sockets. Each must give its slot back: RESTinio 0.6.16 lost one per
// such connection, so twenty of them stopped a server limited to two connections for good.
TEST(Connections, ResetsWhileWaitingDoNotUseUpTheConnectionLimit) {
  ServerProcess server(std::map<std::string, std::string>{
      {"AUTOMATION_MAX_CONNECTIONS", "2"}, {"AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS", "2"}});
  server.start();
  {
    auto holders = open_idle_connections(server.port(), 2);  // the limit is reached
    auto resetting = open_idle_connections(server.port(), 20);
    for (auto& connection : resetting) connection->reset_on_close();
    // RST while they wait in the backlog: the holders, ahead of them, keep the limit reached.
    resetting.clear();
  }
  // The holders are gone too: all 22 come out of the backlog, then the ping.
  Connection ping(server.port());
  ping.send_text(kPingRequest);
  bool closed = false;
  const std::string response = ping.read_until_closed(seconds(3), closed);
  EXPECT_TRUE(starts_with_status(response, "HTTP/1.1 200")) << response;
  EXPECT_EQ(server.stop(), 0);
}

// How many of `connections` the server closed within `timeout` (all of them waited for
// together: each gets what is left of it, and at least 20 ms).
int closed_by_server(const std::vector<std::unique_ptr<Connection>>& connections,
                     milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  int closed_count = 0;
  for (const auto& connection : connections) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    bool closed = false;
    connection->read_until_closed(std::max(left, milliseconds(20)), closed);
    if (closed) ++closed_count;
  }
  return closed_count;
}

constexpr const char* kFloodAddress = "127.0.0.4";

// Security review 2 (#10): with 100 connections in all, one client holding 120 idle sockets
// took every slot, and another client's ping waited in the backlog until the read timeout
// freed one. A tenth of the total per address (the default): the other client's ping is
// answered within 100 ms, the flooding client's sockets past its ten are closed at once, and
// its slots come back when it closes the ones it holds. The metrics count every refusal.
TEST(Connections, OneClientCannotHoldEveryConnectionSlot) {
  ServerProcess server({{"AUTOMATION_MAX_CONNECTIONS", "100"},
                        {"AUTOMATION_READ_TIMEOUT", "30"},
                        {"AUTOMATION_METRICS", "on"}});
  server.start();
  // The flood comes from an address of its own: the readiness check's connection from
  // 127.0.0.1 may still count there until the server has seen it close.
  auto flood = open_idle_connections(server.port(), 120, kFloodAddress);
  // What the server closes is closed at once; give it a moment to go through the backlog.
  EXPECT_EQ(closed_by_server(flood, milliseconds(1000)), 110) << server.log();

  Connection other(server.port(), "127.0.0.2");
  const auto asked = Clock::now();
  other.send_text(kPingRequest);
  bool closed = false;
  const std::string response = other.read_until_closed(seconds(3), closed);
  const auto answered_in = Clock::now() - asked;
  EXPECT_TRUE(starts_with_status(response, "HTTP/1.1 200")) << response;
  EXPECT_LT(answered_in, milliseconds(100));
  EXPECT_NE(server.log().find(std::string(kFloodAddress) + " holds 10 connections"),
            std::string::npos)
      << server.log();
  Connection scrape(server.port(), "127.0.0.2");  // the flood's address has no slot left
  scrape.send_text("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  const std::string metrics = scrape.read_until_closed(seconds(3), closed);
  EXPECT_NE(metrics.find("\nautomation_connections_refused_total 110\n"), std::string::npos)
      << metrics.substr(0, 4000);

  flood.clear();  // the ten it held end: its slots come back
  const auto deadline = Clock::now() + seconds(5);
  std::string again;
  do {
    Connection ping(server.port(), kFloodAddress);
    ping.send_text(kPingRequest);
    again = ping.read_until_closed(seconds(1), closed);
    if (starts_with_status(again, "HTTP/1.1 200")) break;
    std::this_thread::sleep_for(milliseconds(10));  // poll: the server has not seen the closes
  } while (Clock::now() < deadline);
  EXPECT_TRUE(starts_with_status(again, "HTTP/1.1 200")) << again;
  EXPECT_EQ(server.stop(), 0);
}

// A trusted proxy carries many clients: it is never limited per address.
TEST(Connections, TrustedProxiesAreNotLimitedPerAddress) {
  ServerProcess server({{"AUTOMATION_MAX_CONNECTIONS", "100"},
                        {"AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS", "2"},
                        {"AUTOMATION_TRUSTED_PROXIES", "127.0.0.3"},
                        {"AUTOMATION_READ_TIMEOUT", "30"}});
  server.start();
  auto proxied = open_idle_connections(server.port(), 20, "127.0.0.3");
  Connection ping(server.port(), "127.0.0.3");
  ping.send_text(kPingRequest);
  bool closed = false;
  const std::string response = ping.read_until_closed(seconds(3), closed);
  EXPECT_TRUE(starts_with_status(response, "HTTP/1.1 200")) << response;
  EXPECT_EQ(closed_by_server(proxied, milliseconds(200)), 0);
  EXPECT_EQ(server.stop(), 0);
}

// Slowloris: half a header section, then silence. With a 1 s read timeout the server closes
// the connection, and meanwhile answers complete requests normally.
TEST(Connections, HalfSentRequestIsClosedAfterTheReadTimeout) {
  ServerProcess server(std::map<std::string, std::string>{{"AUTOMATION_READ_TIMEOUT", "1"}});
  server.start();
  Connection slow(server.port());
  slow.send_text("GET /api/health/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  Connection silent(server.port());  // connected, never sends a byte
  const auto started = Clock::now();

  HttpClient http(server.base_url());
  EXPECT_EQ(http.get("/api/health/ping").status, 200);

  bool closed = false;
  const std::string received = slow.read_until_closed(seconds(6), closed);
  const auto waited = Clock::now() - started;
  EXPECT_TRUE(closed) << "a half-sent request was still open after 6 s";
  EXPECT_EQ(received, "") << "RESTinio closes without an answer";
  EXPECT_GE(waited, milliseconds(900)) << "closed before the read timeout";
  silent.read_until_closed(seconds(6), closed);
  EXPECT_TRUE(closed) << "an idle connection was still open after 6 s";

  // Normal requests kept working all along, and still do.
  HttpClient fresh(server.base_url());
  EXPECT_EQ(fresh.get("/api/health/ping").status, 200);
  EXPECT_EQ(server.stop(), 0);
}

// A header section over the 8 KiB field limit: RESTinio 0.6 cannot answer 431, it closes
// the connection without a response (documented in docs/operations.md).
TEST(Connections, OversizedHeaderSectionClosesTheConnection) {
  ServerProcess server;
  server.start();
  Connection client(server.port());
  // Appended, not literal + std::string: GCC 12 warns falsely (-Warray-bounds) on that form.
  std::string request = "GET /api/health/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ";
  request.append(16 * 1024, 'a').append("\r\n\r\n");
  client.send_text(request);
  bool closed = false;
  const std::string received = client.read_until_closed(seconds(5), closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(received, "");
  HttpClient http(server.base_url());
  EXPECT_EQ(http.get("/api/health/ping").status, 200);
  EXPECT_EQ(server.stop(), 0);
}

class ResponseHeaders : public ApiTest {};

void expect_protective_headers(const HttpResponse& response, const std::string& what) {
  EXPECT_EQ(response.header("X-Content-Type-Options"), "nosniff") << what;
  EXPECT_EQ(response.header("Cache-Control"), "no-store") << what;
}

TEST_F(ResponseHeaders, EveryResponseIsNosniffAndNoStore) {
  expect_protective_headers(http().get("/api/health/ping"), "ping");
  expect_protective_headers(http().get("/api/users/me", api_key(system_key())), "me");
  expect_protective_headers(http().get("/api/users/", api_key(system_key())), "user list");
  expect_protective_headers(http().get("/api/users/me"), "401");
  expect_protective_headers(http().get("/api/nowhere"), "404");
  const auto login = http().post("/api/users/login",
                                 nlohmann::json{{"username", "system"}, {"password", kSystemPassword}});
  ASSERT_EQ(login.status, 200);
  remember_secret(login.json().at("apiKey").get<std::string>());
  expect_protective_headers(login, "login (carries a key)");
}

}  // namespace
}  // namespace automation::testing
