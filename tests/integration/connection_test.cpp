// Connection-level robustness (issue 8): descriptor exhaustion, the connection limit, read
// timeouts against half-sent requests, and the headers every response carries. Each test
// that needs special settings runs a server of its own; waits are readiness checks (poll)
// with deadlines, never fixed sleeps.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

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
#include "server_process.hpp"

namespace automation::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kPingRequest =
    "GET /api/health/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

// A client TCP connection to the server, closed by the destructor.
class Connection {
 public:
  // Connects to 127.0.0.1:port. The connect completes once the kernel queued the connection
  // in the listen backlog, whether or not the server accepted it yet.
  explicit Connection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    timeval connect_timeout{5, 0};  // bounds connect() if the backlog were full
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &connect_timeout, sizeof(connect_timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect() failed");
    }
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Makes the destructor send RST instead of FIN (SO_LINGER with a zero timeout).
  void reset_on_close() {
    linger abort_on_close{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
  }

  void send_text(std::string_view text) {
    ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(text.size()));
  }

  // Reads until the server closes the connection or `timeout` passes. Returns what arrived
  // and sets `closed` when the server closed (EOF or reset) in time.
  std::string read_until_closed(milliseconds timeout, bool& closed) {
    std::string received;
    closed = false;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return received;
      pollfd poll_fd{fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return received;
      char buffer[4096];
      const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        closed = true;
        return received;
      }
      received.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // Whatever the server sends within `timeout` ("" if nothing), without waiting for a close.
  std::string read_some(milliseconds timeout) {
    pollfd poll_fd{fd_, POLLIN, 0};
    if (::poll(&poll_fd, 1, static_cast<int>(timeout.count())) <= 0) return {};
    char buffer[4096];
    const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  int fd_;
};

std::vector<std::unique_ptr<Connection>> open_idle_connections(int port, int count) {
  std::vector<std::unique_ptr<Connection>> connections;
  connections.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) connections.push_back(std::make_unique<Connection>(port));
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
  ServerProcess server(std::map<std::string, std::string>{{"AUTOMATION_MAX_CONNECTIONS", "1000"}});
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
  ServerProcess server;
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
  ServerProcess server({{"AUTOMATION_MAX_CONNECTIONS", "4"}, {"AUTOMATION_READ_TIMEOUT", "30"}});
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
  ServerProcess server(std::map<std::string, std::string>{{"AUTOMATION_MAX_CONNECTIONS", "2"}});
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
