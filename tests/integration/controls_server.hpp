#pragma once

// A server of its own per test, for the plant security controls
// (docs/security-controls.md): security_controls_test.cpp, password_rules_test.cpp,
// audited_changes_test.cpp and signatures_test.cpp; and a way to make the audit store refuse
// writes.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "api_fixture.hpp"

namespace automation::testing {

using Env = std::map<std::string, std::string>;

// A server of its own, the system user's key, and helpers for the users a test needs.
class ControlsServer {
 public:
  explicit ControlsServer(std::map<std::string, std::string> env = {})
      : server_(std::move(env)) {
    server_.start();
    http_ = std::make_unique<HttpClient>(server_.base_url());
    system_key_ = login("system", kSystemPassword).json().value("apiKey", "");
    remember_secret(system_key_);
  }

  HttpResponse login(const std::string& name, const std::string& password) {
    return http_->post("/api/users/login",
                       nlohmann::json{{"username", name}, {"password", password}});
  }
  std::string key_of(const std::string& name, const std::string& password = kUserPassword) {
    const auto response = login(name, password);
    EXPECT_EQ(response.status, 200) << response.body;
    const std::string key = response.json().value("apiKey", "");
    remember_secret(key);
    return key;
  }
  void add_user(const std::string& name, const std::string& role) {
    const auto response = signup(name, role, kUserPassword, system_key_);
    ASSERT_EQ(response.status, 200) << response.body;
  }
  // POST /api/users/signup with `key` ("" = anonymous).
  HttpResponse signup(const std::string& name, const std::string& role,
                      const std::string& password, const std::string& key) {
    return http_->post("/api/users/signup",
                       nlohmann::json{{"username", name},
                                      {"email", name + "@plant.local"},
                                      {"password", password},
                                      {"role_name", role}},
                       key.empty() ? Headers{} : api_key(key));
  }
  bool has_event(const std::string& event, const std::string& target, const std::string& outcome) {
    const auto trail = http_->get("/api/users/audit?limit=1000", api_key(system_key_));
    for (const auto& entry : trail.json()) {
      if (entry.at("event") == event && entry.at("target") == target &&
          entry.at("outcome") == outcome) {
        return true;
      }
    }
    return false;
  }

  // POST /api/users/reset_password by the holder of `key`.
  HttpResponse reset(const std::string& key, const std::string& target,
                     const std::string& new_password) {
    remember_secret(new_password);
    return http_->post("/api/users/reset_password",
                       nlohmann::json{{"target_username", target}, {"new_password", new_password}},
                       api_key(key));
  }

  ServerProcess& process() { return server_; }
  HttpClient& http() { return *http_; }
  const std::string& system_key() const { return system_key_; }

 private:
  ServerProcess server_;
  std::unique_ptr<HttpClient> http_;
  std::string system_key_;
};

// Moves the user's sessions `seconds` into the past, as if that much time had gone by since
// the login (and since the last recorded use, if any): how idle-session tests pass time.
inline void age_sessions(ControlsServer& server, const std::string& username, int seconds) {
  const std::string by = std::to_string(seconds);
  run_sql(server.process(),
          "UPDATE sessions SET created_at = created_at - " + by +
              ", last_used_at = CASE WHEN last_used_at = 0 THEN 0 ELSE last_used_at - " + by +
              " END WHERE user_id = (SELECT id FROM users WHERE username = '" + username + "')");
}

inline constexpr std::int64_t kDay = 86400;

// Moves the time `username`'s password was set back by `seconds`: how password-lifetime tests
// pass time.
inline void age_password(ControlsServer& server, const std::string& username,
                         std::int64_t seconds) {
  run_sql(server.process(),
          "UPDATE password_state SET set_at = set_at - " + std::to_string(seconds) +
              " WHERE user_id = (SELECT id FROM users WHERE username = '" + username + "')");
}

// Makes every INSERT into audit_events fail, as a full or broken audit store would.
inline void break_audit_store(ServerProcess& server) {
  switch (server.backend()) {
    case TestBackend::kSqlite:
      run_sql(server,
              "CREATE TRIGGER audit_refuses BEFORE INSERT ON audit_events"
              " BEGIN SELECT RAISE(ABORT, 'audit store full'); END");
      break;
    case TestBackend::kPostgresql:
      run_sql(server,
              "CREATE FUNCTION audit_refuses() RETURNS trigger LANGUAGE plpgsql"
              " AS $$ BEGIN RAISE EXCEPTION 'audit store full'; END $$");
      run_sql(server,
              "CREATE TRIGGER audit_refuses BEFORE INSERT ON audit_events"
              " FOR EACH ROW EXECUTE FUNCTION audit_refuses()");
      break;
    case TestBackend::kMysql:
      run_sql(server,
              "CREATE TRIGGER audit_refuses BEFORE INSERT ON audit_events FOR EACH ROW"
              " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit store full'");
      break;
  }
}

inline void repair_audit_store(ServerProcess& server) {
  run_sql(server, server.backend() == TestBackend::kPostgresql
                      ? "DROP TRIGGER audit_refuses ON audit_events"
                      : "DROP TRIGGER audit_refuses");
}

}  // namespace automation::testing
