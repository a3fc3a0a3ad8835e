#include "server_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http_client.hpp"

extern char** environ;

namespace automation::testing {
namespace {

// util-linux (essential on Debian): sets a limit and execs the command in its own process.
constexpr const char* kPrlimitBinary = "/usr/bin/prlimit";

std::filesystem::path make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/automation-it-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return std::filesystem::path(buffer.data());
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

int pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    throw std::runtime_error("bind() failed");
  }
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

ServerProcess::ServerProcess(std::map<std::string, std::string> env,
                             std::optional<TestBackend> backend)
    : env_(std::move(env)), backend_(backend.value_or(run_backend())) {
  if (backend_ == TestBackend::kPostgresql) {
    auto server = pg_test_server();
    if (!server) throw std::runtime_error("PostgreSQL wanted but AUTOMATION_TEST_PG_HOST is unset");
    server_database_ = std::make_unique<ScratchPgDatabase>(std::move(*server));
  } else if (backend_ == TestBackend::kMysql) {
    auto server = mysql_test_server();
    if (!server) throw std::runtime_error("MySQL wanted but AUTOMATION_TEST_MYSQL_HOST is unset");
    server_database_ = std::make_unique<ScratchMysqlDatabase>(std::move(*server));
  }
  dir_ = make_temp_dir();
  db_file_ = dir_ / "automation.db";
  log_file_ = dir_ / "server.log";
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void ServerProcess::use_https(std::string ca_file) {
  https_ = true;
  client_tls_.ca_file = std::move(ca_file);
}

void ServerProcess::set_descriptor_limits(unsigned soft, unsigned hard) {
  descriptor_soft_limit_ = soft;
  descriptor_hard_limit_ = hard;
}

std::vector<std::string> ServerProcess::environment() const {
  // Ours minus any AUTOMATION_* setting of the caller, plus the test's.
  std::map<std::string, std::string> env = {
      {"AUTOMATION_SUPERUSER_PASSWORD", kSystemPassword},
      {"AUTOMATION_APP_SECRET_KEY", kTestAppSecret},
      {"AUTOMATION_THREADS", "2"},
      // Cheap Argon2id (still real Argon2id) keeps the suite fast; a test about the cost of
      // hashing or the hashing pool filling up sets kProductHashCost or its own parameters.
      {"AUTOMATION_ARGON2_MEMORY_KIB", "64"},
      {"AUTOMATION_ARGON2_ITERATIONS", "1"},
  };
  // In the environment, not on the command line, as an operator would keep it.
  if (server_database_) env["AUTOMATION_DB_PASSWORD"] = server_database_->server().password;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string::npos || text.starts_with("AUTOMATION_")) continue;
    env[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& [key, value] : env_) {
    if (value == kUnsetSetting) {
      env.erase(key);
      continue;
    }
    std::string text = value;
    const std::string placeholder = kServerPortPlaceholder;
    for (auto at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at)) {
      const std::string port = std::to_string(port_);
      text.replace(at, placeholder.size(), port);
      at += port.size();
    }
    env[key] = std::move(text);
  }
  std::vector<std::string> lines;
  for (const auto& [key, value] : env) lines.push_back(key + "=" + value);
  return lines;
}

pid_t ServerProcess::spawn_binary(std::vector<std::string> args,
                                  const std::filesystem::path& output, bool limit_descriptors,
                                  const std::filesystem::path& input) const {
  std::vector<std::string> env_lines = environment();
  std::vector<char*> envp;
  for (auto& line : env_lines) envp.push_back(line.data());
  envp.push_back(nullptr);
  std::string program = AUTOMATION_BINARY;
  args.insert(args.begin(), program);
  if (limit_descriptors && descriptor_hard_limit_ != 0) {
    program = kPrlimitBinary;
    args.insert(args.begin(), {program,
                               "--nofile=" + std::to_string(descriptor_soft_limit_) + ":" +
                                   std::to_string(descriptor_hard_limit_),
                               "--"});
  }
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, input.c_str(), O_RDONLY, 0);
  // The working directory holds no .env file, so only this environment configures the binary.
  posix_spawn_file_actions_addchdir_np(&actions, dir_.c_str());
  pid_t pid = -1;
  const int rc =
      ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn failed: ") + std::strerror(rc));
  return pid;
}

bool ServerProcess::database_untouched() const {
  if (!server_database_) return !std::filesystem::exists(db_file_);
  return server_database_->empty();
}

std::vector<std::string> ServerProcess::database_flags() const {
  std::vector<std::pair<std::string, std::string>> flags;  // (flag, setting it sets)
  if (!server_database_) {
    flags = {{"--db-type", "sqlite"}, {"--db-file", db_file_.string()}};
  } else {
    const DbServer& server = server_database_->server();
    flags = {{"--db-type", server_database_->type()},
             {"--db-host", server.host},
             {"--db-port", std::to_string(server.port)},
             {"--db-user", server.user},
             {"--db-name", server_database_->name()}};
  }
  // Flags win over the environment, so a setting the test gives is not passed as a flag.
  std::vector<std::string> args;
  for (const auto& [flag, value] : flags) {
    const std::string key = "AUTOMATION_DB_" + upper(flag.substr(std::string("--db-").size()));
    if (env_.contains(key)) continue;
    args.push_back(flag);
    args.push_back(value);
  }
  return args;
}

void ServerProcess::spawn() {
  port_ = pick_free_port();
  std::vector<std::string> args = {"serve", "--host", "127.0.0.1", "--port",
                                   std::to_string(port_)};
  for (auto& flag : database_flags()) args.push_back(std::move(flag));
  pid_ = spawn_binary(std::move(args), log_file_, /*limit_descriptors=*/true);
}

int ServerProcess::run_cli(const std::vector<std::string>& args, std::string* output) const {
  return run_cli_from(args, "/dev/null", output);
}

int ServerProcess::run_cli_with_input(const std::vector<std::string>& args,
                                      std::string_view input, std::string* output) const {
  const std::filesystem::path input_file = dir_ / "cli.in";
  {
    std::ofstream out(input_file, std::ios::binary | std::ios::trunc);
    out << input;
  }
  std::filesystem::permissions(input_file, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write);
  const int exit_code = run_cli_from(args, input_file, output);
  std::filesystem::remove(input_file);
  return exit_code;
}

int ServerProcess::run_cli_from(const std::vector<std::string>& args,
                                const std::filesystem::path& input, std::string* output) const {
  const std::filesystem::path output_file = dir_ / "cli.out";
  std::filesystem::remove(output_file);
  std::vector<std::string> full = args;
  for (auto& flag : database_flags()) full.push_back(std::move(flag));
  const pid_t pid =
      spawn_binary(std::move(full), output_file, /*limit_descriptors=*/false, input);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (output != nullptr) {
    std::ifstream in(output_file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    *output = text.str();
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::start() {
  if (pid_ > 0) throw std::runtime_error("server already running");
  constexpr int kAttempts = 3;  // the picked port may be taken by someone else meanwhile
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    spawn();
    HttpClient client(base_url(), client_tls_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // exited: retry on another port, or fail below
      }
      // Ready once this process says it listens on its port and a ping is answered. The ping
      // alone is not enough: when another test's server took the port first, this one fails
      // to bind, and the ping is answered by the other one.
      const auto ping = client.get("/api/health/ping");
      if (ping.status == 200 && says_it_listens()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      throw std::runtime_error("server did not become ready; log:\n" + log());
    }
  }
  throw std::runtime_error("server exited during start-up; log:\n" + log());
}

int ServerProcess::run_expecting_exit(int timeout_seconds) {
  spawn();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  wait_exit();
  return -1;
}

int ServerProcess::wait_exit() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::send_signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

int ServerProcess::stop() {
  if (pid_ <= 0) throw std::runtime_error("server not running");
  ::kill(pid_, SIGTERM);
  return wait_exit();
}

bool ServerProcess::says_it_listens() const {
  // serve's start line: "automation <version> listening on <scheme>://<host>:<port> database=..."
  return log().find(":" + std::to_string(port_) + " database=") != std::string::npos;
}

std::string ServerProcess::log() const {
  std::ifstream in(log_file_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace automation::testing
