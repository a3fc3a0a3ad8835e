// Soak (issue 8, point 7): a bounded mixed load (logins, key checks, writes, bad requests,
// fresh connections) from several threads against one server; afterwards its resident memory
// and open descriptors are back near where they were after a warm-up, and every answer had a
// status expected for its request. AUTOMATION_SOAK_SECONDS sets the load's length (default 20;
// the warm-up is a fifth of it, at least 5 s): longer runs find slower leaks.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"
#include "server_process.hpp"

namespace automation::testing {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kSoakPassword = "Soak-Passw0rd-long";

int soak_seconds() {
  const char* text = std::getenv("AUTOMATION_SOAK_SECONDS");
  const int asked = text != nullptr ? std::atoi(text) : 20;
  return asked > 0 ? asked : 20;
}

// VmRSS of a process, in KiB.
long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

long open_descriptors(pid_t pid) {
  long count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++count;
  }
  return count;
}

// Statuses that were not among those expected for their request, by request kind.
class Verdicts {
 public:
  void check(const std::string& kind, long status, const std::set<long>& expected) {
    ++requests_;
    if (expected.contains(status)) return;
    const std::lock_guard lock(mutex_);
    ++unexpected_[kind + " -> " + std::to_string(status)];
  }
  // The same, naming the client's error when there was no HTTP answer at all.
  void check(const std::string& kind, const HttpResponse& response,
             const std::set<long>& expected) {
    check(response.status == 0 ? kind + " (" + response.error + ")" : kind, response.status,
          expected);
  }
  std::map<std::string, int> unexpected() {
    const std::lock_guard lock(mutex_);
    return unexpected_;
  }
  long requests() const { return requests_; }

 private:
  std::atomic<long> requests_{0};
  std::mutex mutex_;
  std::map<std::string, int> unexpected_;
};

// One client thread's loop until `until`: each round mixes every kind of request, and every
// 25th round starts over on a new connection (the server must release the old one).
void load(ServerProcess& server, const std::string& key, const std::string& user, int thread,
          Clock::time_point until, Verdicts& verdicts) {
  auto client = std::make_unique<HttpClient>(server.base_url());
  for (int round = 0; Clock::now() < until; ++round) {
    if (round % 25 == 24) client = std::make_unique<HttpClient>(server.base_url());
    HttpClient& http = *client;
    const auto good =
        http.post("/api/users/login", json{{"username", user}, {"password", kSoakPassword}});
    verdicts.check("login", good.status, {200});
    if (good.status == 200) {
      const std::string session = good.json().at("apiKey").get<std::string>();
      verdicts.check("me", http.get("/api/users/me", api_key(session)).status, {200});
      verdicts.check(
          "logout", http.post("/api/users/logout", json::object(), api_key(session)).status, {200});
    }
    verdicts.check(
        "bad login",
        http.post("/api/users/login", json{{"username", user}, {"password", "Wrong-Passw0rd-x"}})
            .status,
        {403});  // PyAutomation answers a wrong password with 403
    verdicts.check("key check", http.get("/api/users/roles", api_key(key)).status, {200});
    verdicts.check("bad key", http.get("/api/users/me", api_key("not-a-key")).status, {401});
    // Writes that leave the database as they found it: a user created, promoted, deleted.
    const std::string name = "soak_" + std::to_string(thread) + "_" + std::to_string(round);
    verdicts.check("signup",
                   http.post("/api/users/signup",
                             json{{"username", name},
                                  {"email", name + "@plant.example"},
                                  {"password", kSoakPassword},
                                  {"role_name", "guest"}},
                             api_key(key))
                       .status,
                   {200});
    verdicts.check(
        "update role",
        http.post("/api/users/update_role",
                  json{{"target_username", name}, {"new_role_name", "operator"}}, api_key(key))
            .status,
        {200});
    verdicts.check("delete", http.del("/api/users/" + name, api_key(key)).status, {200});
    // Bad requests.
    verdicts.check("bad json",
                   http.post_raw("/api/users/signup", "{\"username\":", api_key(key)).status,
                   {400});
    verdicts.check("no route", http.get("/api/nowhere").status, {404});
    verdicts.check("bad method", http.request("PATCH", "/api/users/me").status, {405});
    verdicts.check("too large",
                   http.post_raw("/api/users/signup", std::string(70 * 1024, 'x'), api_key(key)),
                   {413});
    if (round % 10 == 0) {
      // Garbage on a connection of its own: closed without an answer, nothing else disturbed.
      raw_exchange(server.port(), "\x16\x03\x01garbage\r\n\r\n", std::chrono::seconds(5));
    }
  }
}

TEST(Soak, MixedLoadLeavesMemoryAndDescriptorsWhereTheyWere) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's shadow memory and quarantine make RSS meaningless here";
#endif
  // Login throttling off: the soak's wrong passwords would otherwise lock its users out, and
  // throttling has tests of its own.
  ServerProcess server({{"AUTOMATION_ARGON2_MEMORY_KIB", "1024"},
                        {"AUTOMATION_ARGON2_ITERATIONS", "1"},
                        {"AUTOMATION_LOGIN_MAX_FAILURES", "1000000"},
                        {"AUTOMATION_LOGIN_ACCOUNT_MAX_FAILURES", "0"},
                        {"AUTOMATION_LOGIN_ADDRESS_MAX_FAILURES", "0"}});
  server.start();
  std::string key;
  {
    HttpClient setup(server.base_url());
    const auto login =
        setup.post("/api/users/login", json{{"username", "system"}, {"password", kSystemPassword}});
    ASSERT_EQ(login.status, 200) << login.body;
    key = login.json().at("apiKey").get<std::string>();
  }
  constexpr int kThreads = 4;
  std::vector<std::string> users;
  for (int t = 0; t < kThreads; ++t) {
    HttpClient setup(server.base_url());
    users.push_back("soak_user_" + std::to_string(t));
    const auto created = setup.post("/api/users/signup",
                                    json{{"username", users.back()},
                                         {"email", users.back() + "@plant.example"},
                                         {"password", kSoakPassword},
                                         {"role_name", "operator"}},
                                    api_key(key));
    ASSERT_EQ(created.status, 200) << created.body;
  }

  Verdicts verdicts;
  auto run_load = [&](std::chrono::seconds length) {
    const auto until = Clock::now() + length;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] { load(server, key, users[t], t, until, verdicts); });
    }
    for (auto& thread : threads) thread.join();
  };
  // Once every client is gone the server closes its ends within moments: the count once it
  // has held still for half a second (polled, at most 10 s).
  auto settled_descriptors = [&] {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    long count = open_descriptors(server.pid());
    for (int still = 0; still < 5 && Clock::now() < deadline;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const long now = open_descriptors(server.pid());
      still = now == count ? still + 1 : 0;
      count = now;
    }
    return count;
  };

  const int soak_length = soak_seconds();
  // The warm-up brings the allocator's arenas, SQLite's page caches, the database pool and the
  // lookup cache to their working size; the baseline is taken after it.
  run_load(std::chrono::seconds(std::max(5, soak_length / 5)));
  const long baseline_fds = settled_descriptors();
  const long baseline_kib = resident_kib(server.pid());
  const long warmup_requests = verdicts.requests();

  run_load(std::chrono::seconds(soak_length));
  const long soak_requests = verdicts.requests() - warmup_requests;
  // Descriptors: exactly the baseline, plus at most 2 for a database connection or WAL file
  // opened lazily. Every request round above opens and closes connections (some thousands in
  // all), so a leak of one descriptor per connection, or per hundred, is far past this.
  const long fds = settled_descriptors();
  // Memory: at most 8 MiB over the baseline. glibc keeps freed memory in its per-thread arenas
  // and SQLite's page cache grows with the database (the audit log), so some growth is not a
  // leak; but on SQLite the soak sends 1,000 to 2,000 requests a second here (40,000 or more
  // in the default 40 s; RSS moved by less than 0.1 MiB), so a leak of 200 bytes a request
  // passes 8 MiB. On PostgreSQL, where every write is a network round trip, it sends about a
  // tenth of that, and only leaks of some KiB a request show: run it longer there
  // (AUTOMATION_SOAK_SECONDS) to find smaller ones.
  const long kib = resident_kib(server.pid());
  std::cout << "[ soak     ] " << soak_requests << " requests in " << soak_length << " s; RSS "
            << baseline_kib << " -> " << kib << " KiB; descriptors " << baseline_fds << " -> "
            << fds << std::endl;
  // At least 20 requests a second, or the soak did not soak (a loaded CI machine on
  // PostgreSQL manages about 80).
  EXPECT_GE(soak_requests, 20L * soak_length) << "the soak sent too little to mean anything";
  EXPECT_LE(fds, baseline_fds + 2) << "descriptors leaked";
  EXPECT_LE(kib, baseline_kib + 8 * 1024) << "resident memory grew";
  EXPECT_TRUE(verdicts.unexpected().empty()) << [&] {
    std::string list;
    for (const auto& [what, count] : verdicts.unexpected()) {
      list += what + " x" + std::to_string(count) + "\n";
    }
    return list;
  }();
  // The server still answers and stops cleanly.
  HttpClient after(server.base_url());
  EXPECT_EQ(after.get("/api/health/ping").status, 200);
  EXPECT_EQ(server.stop(), 0) << server.log();
}

}  // namespace
}  // namespace automation::testing
