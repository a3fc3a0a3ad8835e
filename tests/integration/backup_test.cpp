// `automation db backup` and `automation db restore` on the real binary (docs/operations.md
// "Backups"): a backup taken while clients write is one consistent snapshot holding every
// write acknowledged before it began, and restores to a database whose audit chain verifies;
// restore refuses while a server has the database open; the files are private; a WAL of the
// replaced database never reaches the restored one; bad paths change nothing. On PostgreSQL and
// MySQL (the pg./my. runs) the commands name the database's own dump tools instead.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "sqlite_file.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kBackupPassword = "Backup-Passw0rd-long";

// More I/O threads: more writes fit in the test's window.
std::map<std::string, std::string> busy_server() { return {{"AUTOMATION_THREADS", "4"}}; }

int signup(HttpClient& client, const std::string& key, const std::string& username) {
  return client
      .post("/api/users/signup",
            json{{"username", username},
                 {"email", username + "@plant.example"},
                 {"password", kBackupPassword},
                 {"role_name", "operator"}},
            api_key(key))
      .status;
}

std::set<std::string> distinct_lines(const std::string& text) {
  std::set<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.insert(line);
  }
  return lines;
}

std::set<std::string> usernames_in(const fs::path& file) {
  return distinct_lines(sqlite_query(file, "SELECT username FROM users"));
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The names in `dir`, except the files every command run rewrites (its captured output).
std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name != "cli.out") names.insert(name);
  }
  return names;
}

unsigned mode_of(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

ino_t inode_of(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

// The one "<database>.replaced-*" file beside the database (its -wal excluded), or "".
fs::path replaced_file(const ServerProcess& server) {
  fs::path found;
  const std::string prefix = server.db_file().filename().string() + ".replaced-";
  for (const auto& entry : fs::directory_iterator(server.db_file().parent_path())) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && !name.ends_with("-wal")) found = entry.path();
  }
  return found;
}

#define SKIP_UNLESS_SQLITE()                                                          \
  if (run_backend() != TestBackend::kSqlite) {                                        \
    GTEST_SKIP() << "a SQLite file's backup; other databases: ServerDatabasesNameTheirTools"; \
  }

TEST(Backup, UnderWriteLoadKeepsEveryEarlierWriteAndRestoresToAVerifiedChain) {
  SKIP_UNLESS_SQLITE();
  ServerProcess server(busy_server());
  server.start();
  HttpClient setup(server.base_url());
  const std::string key = login_as_system(setup);

  // Two writers, each signing users up one after another: what each was told succeeded, in order.
  constexpr int kWriters = 2;
  std::mutex mutex;
  std::vector<std::vector<std::string>> acked(kWriters);
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      HttpClient client(server.base_url());
      for (int i = 0; !stop; ++i) {
        const std::string name = "bk_" + std::to_string(t) + "_" + std::to_string(i);
        const int status = signup(client, key, name);
        if (status != 200) {
          ADD_FAILURE() << name << ": " << status;
          return;
        }
        const std::lock_guard lock(mutex);
        acked[t].push_back(name);
      }
    });
  }
  auto acknowledged = [&] {
    const std::lock_guard lock(mutex);
    std::set<std::string> names;
    for (const auto& list : acked) names.insert(list.begin(), list.end());
    return names;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (acknowledged().size() < 40 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // until the load is going
  }
  const std::set<std::string> before_backup = acknowledged();
  const fs::path backup = server.db_file().parent_path() / "backup.db";
  std::string output;
  const int code = server.run_cli({"db", "backup", "--to", backup.string()}, &output);
  const std::size_t after_backup = acknowledged().size();
  // A few more writes after the backup, so the live database moves on from it.
  while (acknowledged().size() < after_backup + 10 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  for (auto& writer : writers) writer.join();
  ASSERT_EQ(code, 0) << output;
  EXPECT_NE(output.find("integrity check ok"), std::string::npos) << output;
  std::cout << "[ backup   ] " << before_backup.size() << " signups acknowledged before it, "
            << after_backup - before_backup.size() << " while it ran" << std::endl;
  EXPECT_EQ(mode_of(backup), 0600u);
  EXPECT_EQ(pragma_integrity_check(backup), "ok");

  const std::set<std::string> in_backup = usernames_in(backup);
  for (const auto& name : before_backup) {
    EXPECT_TRUE(in_backup.contains(name)) << name << " was acknowledged before the backup began";
  }
  // One snapshot: of each writer's sequence the backup holds a prefix, without gaps.
  for (int t = 0; t < kWriters; ++t) {
    bool missing_seen = false;
    for (const auto& name : acked[t]) {
      if (!in_backup.contains(name)) {
        missing_seen = true;
      } else {
        EXPECT_FALSE(missing_seen) << name << " is in the backup but an earlier write is not";
      }
    }
  }
  const std::set<std::string> all_acked = acknowledged();
  ASSERT_EQ(server.stop(), 0) << server.log();

  ASSERT_EQ(server.run_cli({"db", "restore", "--from", backup.string()}, &output), 0) << output;
  EXPECT_NE(output.find("kept as"), std::string::npos) << output;
  EXPECT_EQ(mode_of(server.db_file()), 0600u);
  const fs::path replaced = replaced_file(server);
  ASSERT_FALSE(replaced.empty()) << "the replaced database was not kept";
  const std::set<std::string> in_replaced = usernames_in(replaced);
  for (const auto& name : all_acked) EXPECT_TRUE(in_replaced.contains(name)) << name;
  EXPECT_EQ(server.run_cli({"audit", "verify"}, &output), 0) << output;

  server.start();
  HttpClient client(server.base_url());
  const std::string restored_key = login_as_system(client);
  for (const auto& name : all_acked) {
    const int status = client.get("/api/users/" + name, api_key(restored_key)).status;
    EXPECT_EQ(status, in_backup.contains(name) ? 200 : 404) << name;
  }
  EXPECT_EQ(server.stop(), 0) << server.log();
}

TEST(Backup, RestoreIsRefusedWhileAServerHasTheDatabaseOpen) {
  SKIP_UNLESS_SQLITE();
  ServerProcess server(busy_server());
  server.start();
  const fs::path backup = server.db_file().parent_path() / "backup.db";
  std::string output;
  ASSERT_EQ(server.run_cli({"db", "backup", "--to", backup.string()}, &output), 0) << output;
  HttpClient client(server.base_url());
  const std::string key = login_as_system(client);
  ASSERT_EQ(signup(client, key, "after_backup"), 200);

  const ino_t inode = inode_of(server.db_file());
  const auto files = files_in(server.db_file().parent_path());
  EXPECT_EQ(server.run_cli({"db", "restore", "--from", backup.string()}, &output), 1) << output;
  EXPECT_NE(output.find("in use by a running server"), std::string::npos) << output;
  EXPECT_NE(output.find(".lock"), std::string::npos) << output;
  EXPECT_EQ(inode_of(server.db_file()), inode) << "the database file was replaced";
  EXPECT_EQ(files_in(server.db_file().parent_path()), files);
  EXPECT_EQ(client.get("/api/users/after_backup", api_key(key)).status, 200);

  // Stopped, the same restore goes through: the refusal was the running server.
  ASSERT_EQ(server.stop(), 0) << server.log();
  EXPECT_EQ(server.run_cli({"db", "restore", "--from", backup.string()}, &output), 0) << output;
  EXPECT_FALSE(usernames_in(server.db_file()).contains("after_backup"));
}

// The replaced database's committed writes may still be in its WAL (after a crash nothing
// checkpointed them). They must stay with the file kept aside, and never be replayed into the
// restored database, which a WAL left beside it under the old name would be.
TEST(Backup, TheReplacedDatabasesWalStaysWithItAndNeverReachesTheRestoredOne) {
  SKIP_UNLESS_SQLITE();
  ServerProcess server(busy_server());
  server.start();
  HttpClient client(server.base_url());
  std::string key = login_as_system(client);
  ASSERT_EQ(signup(client, key, "before_backup"), 200);
  const fs::path backup = server.db_file().parent_path() / "backup.db";
  std::string output;
  ASSERT_EQ(server.run_cli({"db", "backup", "--to", backup.string()}, &output), 0) << output;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(signup(client, key, "late_" + std::to_string(i)), 200);
  server.send_signal(SIGKILL);
  EXPECT_EQ(server.stop(), 128 + SIGKILL);
  const fs::path wal = server.db_file().string() + "-wal";
  ASSERT_TRUE(fs::exists(wal) && fs::file_size(wal) > 0) << "precondition: a WAL with the late writes";

  ASSERT_EQ(server.run_cli({"db", "restore", "--from", backup.string()}, &output), 0) << output;
  EXPECT_FALSE(fs::exists(wal) && fs::file_size(wal) > 0) << "an old WAL beside the restored file";
  const fs::path replaced = replaced_file(server);
  ASSERT_FALSE(replaced.empty());
  EXPECT_EQ(pragma_integrity_check(replaced), "ok");
  EXPECT_TRUE(usernames_in(replaced).contains("late_4")) << "the kept file lost its WAL's writes";

  server.start();  // on another port
  HttpClient restored(server.base_url());
  key = login_as_system(restored);
  EXPECT_EQ(restored.get("/api/users/before_backup", api_key(key)).status, 200);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(restored.get("/api/users/late_" + std::to_string(i), api_key(key)).status, 404);
  }
  EXPECT_EQ(server.stop(), 0) << server.log();
  EXPECT_EQ(pragma_integrity_check(server.db_file()), "ok");
}

TEST(Backup, BadPathsGiveOneLineAndChangeNothing) {
  SKIP_UNLESS_SQLITE();
  ServerProcess server(busy_server());
  server.start();
  ASSERT_EQ(server.stop(), 0) << server.log();
  const fs::path dir = server.db_file().parent_path();
  const std::string database = read_file(server.db_file());
  const auto files = files_in(dir);
  auto expect_refused = [&](const std::vector<std::string>& args, int expected_code,
                            const std::string& words) {
    std::string output;
    EXPECT_EQ(server.run_cli(args, &output), expected_code) << output;
    EXPECT_NE(output.find(words), std::string::npos) << output;
    EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << "one line: " << output;
    EXPECT_EQ(read_file(server.db_file()), database) << "the database changed";
    EXPECT_EQ(files_in(dir), files) << "files were left behind";
  };

  // Backups: never over an existing file (the database included), nor into a missing directory.
  expect_refused({"db", "backup", "--to", (dir / "server.log").string()}, 1, "already exists");
  expect_refused({"db", "backup", "--to", server.db_file().string()}, 1, "already exists");
  expect_refused({"db", "backup", "--to", (dir / "no" / "such" / "b.db").string()}, 1,
                 (dir / "no" / "such").string());

  // Restores: from nothing, from files that are not backups of this service, from itself.
  expect_refused({"db", "restore", "--from", (dir / "missing.db").string()}, 1, "no backup file");
  const fs::path text = dir / "notes.txt";
  std::ofstream(text) << std::string(4096, 'x');
  const fs::path foreign = dir / "foreign.db";  // a sound SQLite database, not of this service
  ASSERT_EQ(sqlite_execute(foreign, "CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('x')"),
            "");
  const auto with_inputs = files_in(dir);
  auto expect_restore_refused = [&](const fs::path& from, const std::string& words) {
    std::string output;
    EXPECT_EQ(server.run_cli({"db", "restore", "--from", from.string()}, &output), 1) << output;
    EXPECT_NE(output.find(words), std::string::npos) << output;
    EXPECT_EQ(read_file(server.db_file()), database) << "the database changed";
    EXPECT_EQ(files_in(dir), with_inputs) << "files were left behind";
  };
  expect_restore_refused(text, "not a database");
  expect_restore_refused(foreign, "not a database of this service");
  expect_restore_refused(server.db_file(), "is the database itself");

  std::string output;
  EXPECT_EQ(server.run_cli({"db", "backup"}, &output), 2) << output;  // --to is required
  EXPECT_EQ(server.run_cli({"db", "restore"}, &output), 2) << output;
}

TEST(Backup, ServerDatabasesNameTheirTools) {
  if (run_backend() == TestBackend::kSqlite) GTEST_SKIP() << "PostgreSQL and MySQL runs only";
  ServerProcess server;
  server.start();
  const bool pg = run_backend() == TestBackend::kPostgresql;
  const fs::path target = server.db_file().parent_path() / "backup.dump";
  std::string output;
  EXPECT_EQ(server.run_cli({"db", "backup", "--to", target.string()}, &output), 1) << output;
  EXPECT_NE(output.find(pg ? "pg_dump --format=custom" : "mariadb-dump --single-transaction"),
            std::string::npos)
      << output;
  EXPECT_FALSE(fs::exists(target));
  EXPECT_EQ(server.run_cli({"db", "restore", "--from", target.string()}, &output), 1) << output;
  EXPECT_NE(output.find(pg ? "pg_restore" : "mariadb "), std::string::npos) << output;
  EXPECT_EQ(server.stop(), 0) << server.log();
}

}  // namespace
}  // namespace automation::testing
