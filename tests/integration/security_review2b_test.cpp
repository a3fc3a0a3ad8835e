// Regression tests of the second security review (issue 19), items 2, 3 and 4, on the real
// binary: a reset of one's own password is the owner's change, repeated refusals are recorded
// once per window and retention prunes refusals before changes, and anonymous sign-ups are
// throttled per client address. None of them is about storage: SQLite only (CI's time).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "controls_server.hpp"
#include "test_backend.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

#define SQLITE_ONLY()                                                                  \
  if (run_backend() != TestBackend::kSqlite) GTEST_SKIP() << "not about storage: SQLite only"

// POST /api/users/reset_password of one's own password, with current_password when given.
HttpResponse reset_own(ControlsServer& server, const std::string& key, const std::string& name,
                       const std::string& next, const std::string* current = nullptr) {
  remember_secret(next);
  json body{{"target_username", name}, {"new_password", next}};
  if (current != nullptr) body["current_password"] = *current;
  return server.http().post("/api/users/reset_password", body, api_key(key));
}

std::string error_type(const HttpResponse& response) {
  return response.json().value("error_type", "");
}

// Review #4: with a minimum age of 24 h and a history of 3, an operator's own change_password
// was refused but four own reset_password calls and a fifth back to the original all answered
// 200, also while the account's current-password guesses were throttled.
TEST(SecurityReview2b, AResetOfOnesOwnPasswordKeepsTheMinimumAgeHistoryAndThrottle) {
  SQLITE_ONLY();
  ControlsServer server(Env{{"AUTOMATION_PASSWORD_MIN_AGE_HOURS", "24"},
                                         {"AUTOMATION_PASSWORD_HISTORY", "3"},
                                         {"AUTOMATION_LOGIN_MAX_FAILURES", "3"}});
  server.add_user("selfreset1", "operator");
  age_password(server, "selfreset1", 2 * kDay);
  const std::string key = server.key_of("selfreset1");

  ASSERT_EQ(reset_own(server, key, "selfreset1", "Own-reset-one-1").status, 200);
  const auto too_soon = reset_own(server, key, "selfreset1", "Own-reset-two-2");
  EXPECT_EQ(too_soon.status, 400) << too_soon.body;
  EXPECT_EQ(error_type(too_soon), "password_minimum_age") << too_soon.body;

  age_password(server, "selfreset1", 2 * kDay);
  const auto reused = reset_own(server, key, "selfreset1", kUserPassword);
  EXPECT_EQ(reused.status, 400) << reused.body;
  EXPECT_EQ(error_type(reused), "password_reused") << reused.body;

  // Three wrong current passwords (change_password) hold the account's attempts back: a reset
  // of one's own password waits too, though it guesses nothing.
  for (int i = 0; i < 3; ++i) {
    const auto wrong = server.http().post("/api/users/change_password",
                                          json{{"target_username", "selfreset1"},
                                               {"current_password", "not-the-password"},
                                               {"new_password", "Never-set-9"}},
                                          api_key(key));
    ASSERT_EQ(wrong.status, 400) << wrong.body;
  }
  const auto throttled = reset_own(server, key, "selfreset1", "Own-reset-three-3");
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_FALSE(throttled.header("Retry-After").empty());

  // Someone else's reset is not the owner's change: no minimum age, no throttle.
  server.add_user("resetboss1", "admin");
  EXPECT_EQ(server.reset(server.key_of("resetboss1"), "selfreset1", "Reset-by-boss-4").status,
            200);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(SecurityReview2b, ASelfResetCanBeMadeToNeedTheCurrentPassword) {
  SQLITE_ONLY();
  ControlsServer server(Env{{"AUTOMATION_SELF_RESET_REQUIRES_CURRENT_PASSWORD", "true"},
                                         {"AUTOMATION_LOGIN_MAX_FAILURES", "2"}});
  server.add_user("selfreset2", "operator");
  const std::string key = server.key_of("selfreset2");

  const auto missing = reset_own(server, key, "selfreset2", "Own-reset-one-1");
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_TRUE(missing.json().contains("errors") &&
              missing.json().at("errors").contains("current_password"))
      << missing.body;

  const std::string right = kUserPassword;
  ASSERT_EQ(reset_own(server, key, "selfreset2", "Own-reset-one-1", &right).status, 200);
  const std::string key2 = server.key_of("selfreset2", "Own-reset-one-1");

  const std::string wrong = "not-the-password";
  for (int i = 0; i < 2; ++i) {
    const auto refused = reset_own(server, key2, "selfreset2", "Own-reset-two-2", &wrong);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(refused.json().value("message", ""), "Current password is incorrect");
  }
  // Two wrong ones are two failed logins: the right password now waits too.
  EXPECT_EQ(server.login("selfreset2", "Own-reset-one-1").status, 429);
  const std::string now_right = "Own-reset-one-1";
  EXPECT_EQ(reset_own(server, key2, "selfreset2", "Own-reset-two-2", &now_right).status, 429);
  EXPECT_TRUE(server.has_event("password_reset", "selfreset2", "throttled"));

  // An admin's reset of someone else still needs none (upstream's rule).
  server.add_user("resetboss2", "admin");
  EXPECT_EQ(server.reset(server.key_of("resetboss2"), "selfreset2", "Reset-by-boss-2").status,
            200);
  EXPECT_EQ(server.process().stop(), 0);
}

// The audit events the system user can read (at most 1000, newest first).
nlohmann::json audit_events(ControlsServer& server) {
  return server.http().get("/api/users/audit?limit=1000", api_key(server.system_key())).json();
}

// A failed login of `name` from `address` (the test's own address is a trusted proxy).
HttpResponse login_from(HttpClient& http, const std::string& address, const std::string& name,
                        const std::string& password = "not-the-password") {
  return http.post("/api/users/login", json{{"username", name}, {"password", password}},
                   Headers{"X-Forwarded-For: " + address});
}

// Review #3: failed and throttled logins of one anonymous client wrote ~500 events/s, and with
// AUTOMATION_AUDIT_MAX_EVENTS an admin's password_reset was pruned after a restart.
TEST(SecurityReview2b, RepeatedRefusalsAreCountedAndRetentionPrunesRefusalsFirst) {
  SQLITE_ONLY();
  ControlsServer server(Env{{"AUTOMATION_AUDIT_MAX_EVENTS", "40"},
                                         {"AUTOMATION_TRUSTED_PROXIES", "127.0.0.1"}});
  server.add_user("victim3", "operator");
  server.add_user("boss3", "admin");
  ASSERT_EQ(server.reset(server.key_of("boss3"), "victim3", "Reset-by-boss-3").status, 200);
  const std::size_t before = audit_events(server).size();

  HttpClient& http = server.http();
  for (int i = 0; i < 5; ++i) ASSERT_EQ(login_from(http, "10.9.9.9", "victim3").status, 403);
  for (int i = 0; i < 10'000; ++i) {
    const auto refused = login_from(http, "10.9.9.9", "victim3");
    ASSERT_EQ(refused.status, 429) << refused.body;
  }
  const std::size_t added = audit_events(server).size() - before;
  EXPECT_LE(added, 10u) << "10,000 throttled requests from one address";

  // Refusals of many addresses, more than the store's capacity.
  for (int i = 0; i < 60; ++i) {
    ASSERT_EQ(login_from(http, "10.8.0." + std::to_string(i), "nobody" + std::to_string(i)).status,
              403);
  }
  ASSERT_EQ(server.process().stop(), 0);  // writes the counts still held
  server.process().start();               // retention runs at start
  HttpClient again(server.process().base_url());
  const std::string key = again.post("/api/users/login",
                                     json{{"username", "system"}, {"password", kSystemPassword}})
                              .json()
                              .value("apiKey", "");
  remember_secret(key);
  const json trail = again.get("/api/users/audit?limit=1000", api_key(key)).json();
  EXPECT_LE(trail.size(), 45u) << "the capacity, and what this start wrote";
  const auto has = [&](const std::string& event, const std::string& outcome,
                       const std::string& reason_part = "") {
    return std::any_of(trail.begin(), trail.end(), [&](const json& entry) {
      return entry.at("event") == event && entry.at("outcome") == outcome &&
             entry.at("reason").get<std::string>().find(reason_part) != std::string::npos;
    });
  };
  EXPECT_TRUE(has("password_reset", "success")) << "a change outlives the refusals";
  EXPECT_TRUE(has("audit_pruned", "success", "refusals first")) << trail.dump();
  EXPECT_EQ(server.process().stop(), 0);
  std::string output;
  EXPECT_EQ(server.process().run_cli({"audit", "verify"}, &output), 0) << output;
}

TEST(SecurityReview2b, RepeatedThrottledRefusalsAreWrittenOnceWithTheirCount) {
  SQLITE_ONLY();
  ControlsServer server(Env{{"AUTOMATION_SIGNUP_MAX_PER_ADDRESS", "2"}});
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(server.signup("selfmade" + std::to_string(i), "guest", kUserPassword, "").status, 200);
  }
  for (int i = 2; i < 30; ++i) {
    const auto refused = server.signup("selfmade" + std::to_string(i), "guest", kUserPassword, "");
    ASSERT_EQ(refused.status, 429) << refused.body;
    EXPECT_FALSE(refused.header("Retry-After").empty());
  }
  // An admin's sign-ups are not anonymous: not limited.
  server.add_user("bysystem4", "operator");
  ASSERT_EQ(server.process().stop(), 0);
  std::string output;
  ASSERT_EQ(server.process().run_cli({"audit", "tail", "--limit", "100"}, &output), 0);
  int throttled_lines = 0;
  bool counted = false;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("signup") == std::string::npos || line.find("throttled") == std::string::npos) {
      continue;
    }
    ++throttled_lines;
    if (line.find("repeated 27 more times") != std::string::npos) counted = true;
  }
  EXPECT_EQ(throttled_lines, 2) << "the first, and the count at the end\n" << output;
  EXPECT_TRUE(counted) << output;
}

// Review #2: 120 threads of anonymous sign-ups made 197 of 199 logins of a real user fail
// with 503. Sign-ups are unlimited here (the per-address limit is tested above): what holds
// is the scheduling, anonymous work takes at most half of the hashing workers.
TEST(SecurityReview2b, ASignUpFloodLeavesARealUsersLoginsServed) {
  SQLITE_ONLY();
  ControlsServer server(Env{{"AUTOMATION_SIGNUP_MAX_PER_ADDRESS", "0"}, {"AUTOMATION_THREADS", "2"}});
  server.add_user("realuser5", "operator");
  // Below the hashing queue's 64, so that before the fix the logins waited behind the queued
  // sign-ups (about kFlooders / 2 hashes each) rather than being refused.
  constexpr int kFlooders = 40;
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < kFlooders; ++t) {
    flood.emplace_back([&, t] {
      HttpClient http(server.process().base_url());
      for (int i = 0; !stop.load(); ++i) {
        const std::string name = "flood" + std::to_string(t) + "x" + std::to_string(i);
        (void)http.post("/api/users/signup", json{{"username", name},
                                                  {"email", name + "@flood.local"},
                                                  {"password", kUserPassword}});
        ++answered;
      }
    });
  }
  while (answered.load() < kFlooders) std::this_thread::yield();  // the flood is on
  HttpClient http(server.process().base_url());
  std::vector<double> login_seconds;
  int served = 0;
  for (int i = 0; i < 20; ++i) {
    const auto started = std::chrono::steady_clock::now();
    const auto login = http.post("/api/users/login",
                                 json{{"username", "realuser5"}, {"password", kUserPassword}});
    login_seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (login.status == 200) {
      ++served;
      remember_secret(login.json().value("apiKey", ""));
    }
  }
  stop = true;
  for (auto& thread : flood) thread.join();
  EXPECT_EQ(served, 20);
  // The median, not the slowest: this machine is shared (the bar, p99 under 1 s, is measured
  // by bench/password_load.sh). Before the fix the median was about kFlooders / 2 hashes.
  std::sort(login_seconds.begin(), login_seconds.end());
  EXPECT_LT(login_seconds[login_seconds.size() / 2], 1.0)
      << "slowest " << login_seconds.back() << " s";
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
