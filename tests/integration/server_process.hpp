#pragma once

// Runs the real `automation serve` binary for a test: a free loopback port, a temporary
// directory holding the captured stdout/stderr and the SQLite file (or, on PostgreSQL, a
// fresh database of its own on the test server), readiness by polling
// GET /api/health/ping (no fixed sleeps), and a SIGTERM stop that reports the exit code.

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_client.hpp"
#include "test_backend.hpp"

namespace automation::testing {

// The system user's password every test server gets (AUTOMATION_SUPERUSER_PASSWORD).
inline constexpr const char* kSystemPassword = "Integration-Sys7em-Passw0rd!";
// The AUTOMATION_APP_SECRET_KEY every test server gets (tests forge tokens with it).
inline constexpr const char* kTestAppSecret = "integration-test-secret-key-0123456789abcdef";

// Test servers hash with cheap Argon2id parameters (the suite makes thousands of logins);
// these `env` entries give a server the product's default cost instead, for tests that need
// hashing to take as long as it does in a plant (pool saturation, queued password jobs).
inline const std::map<std::string, std::string> kProductHashCost = {
    {"AUTOMATION_ARGON2_MEMORY_KIB", "19456"}, {"AUTOMATION_ARGON2_ITERATIONS", "2"}};

// As a value in ServerProcess's `env`: the setting is left out of the environment
// altogether (e.g. no AUTOMATION_APP_SECRET_KEY, so the server generates its own).
inline constexpr const char* kUnsetSetting = "<unset>";
// In a value of ServerProcess's `env`: replaced by the port the server listens on (picked at
// each start), for settings that name the server's own address (AUTOMATION_OIDC_ISSUER).
inline constexpr const char* kServerPortPlaceholder = "<port>";

class ServerProcess {
 public:
  // `env` overrides/extends the defaults (AUTOMATION_* keys). The database is the run's
  // backend (run_backend()) unless `backend` names one: a SQLite file in a fresh temporary
  // directory, or a fresh PostgreSQL or MySQL database; the destructor removes it.
  explicit ServerProcess(std::map<std::string, std::string> env = {},
                         std::optional<TestBackend> backend = std::nullopt);
  // Runs the binary under these RLIMIT_NOFILE limits (through util-linux's `prlimit`, which
  // sets them and then execs the server in the same process); call before start().
  void set_descriptor_limits(unsigned soft, unsigned hard);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Sets (or, with kUnsetSetting, removes) a setting for the next start() and run_cli() on the
  // same database (a restart with another configuration).
  void set_setting(const std::string& key, std::string value) { env_[key] = std::move(value); }
  // Readiness checks and base_url() over HTTPS, trusting `ca_file` (the test passes the TLS
  // settings in `env`); call before start().
  void use_https(std::string ca_file);
  const ClientTls& client_tls() const { return client_tls_; }
  // Starts the binary and waits until it answers /api/health/ping; throws std::runtime_error
  // (with the captured log) when it exits or does not become ready.
  void start();
  // Starts the binary and waits for it to exit on its own (start-up failures); returns the
  // exit code, or -1 if it is still running after `timeout_seconds` (then it is killed).
  int run_expecting_exit(int timeout_seconds = 30);
  // SIGTERM, then waits; returns the exit code (or 128 + signal when killed by one).
  int stop();
  // Sends `signal` without waiting (stop() still reaps the process afterwards).
  void send_signal(int signal);
  bool running() const { return pid_ > 0; }

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string base_url() const {
    return std::string(https_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }
  TestBackend backend() const { return backend_; }
  // The SQLite file (on PostgreSQL: a path that is never created).
  const std::filesystem::path& db_file() const { return db_file_; }
  // True while the server's database holds nothing: no SQLite file, or no table in the
  // PostgreSQL/MySQL database (what "refused before the database is touched" means).
  bool database_untouched() const;
  // The PostgreSQL or MySQL database; nullptr on SQLite.
  const ScratchDatabase* server_database() const { return server_database_.get(); }
  // Everything the server printed so far (all runs).
  std::string log() const;
  // Runs `automation <args> <flags selecting this database>` with the server's environment
  // and waits for it; returns the exit code and, when asked, what it printed.
  int run_cli(const std::vector<std::string>& args, std::string* output = nullptr) const;
  // The same, with `input` on the command's standard input (a password, say).
  int run_cli_with_input(const std::vector<std::string>& args, std::string_view input,
                         std::string* output = nullptr) const;

 private:
  std::vector<std::string> environment() const;
  // The command-line flags that point the binary at this server's database.
  std::vector<std::string> database_flags() const;
  // Runs the binary with `args` (under prlimit when asked and limits are set), output to a file.
  // Standard input is `input` (default: /dev/null).
  pid_t spawn_binary(std::vector<std::string> args, const std::filesystem::path& output,
                     bool limit_descriptors,
                     const std::filesystem::path& input = "/dev/null") const;
  int run_cli_from(const std::vector<std::string>& args, const std::filesystem::path& input,
                   std::string* output) const;
  void spawn();
  int wait_exit();
  // Whether the log has serve's start line for this port (it bound the port itself).
  bool says_it_listens() const;

  std::map<std::string, std::string> env_;
  TestBackend backend_;
  std::unique_ptr<ScratchDatabase> server_database_;  // dropped after the process is gone
  std::filesystem::path dir_;
  std::filesystem::path db_file_;
  std::filesystem::path log_file_;
  int port_ = 0;
  pid_t pid_ = -1;
  unsigned descriptor_soft_limit_ = 0;  // 0 = inherit the test's limits
  unsigned descriptor_hard_limit_ = 0;
  bool https_ = false;
  ClientTls client_tls_;
};

// A loopback port that was free a moment ago.
int pick_free_port();

}  // namespace automation::testing
