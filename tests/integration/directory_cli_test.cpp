// `automation ldap test --username NAME` (password on stdin; docs/directory-login.md,
// "Troubleshooting") against the throw-away slapd: a working configuration shows each step,
// the entry and the role and exits 0; a wrong service password or a server nobody can reach
// names the step that failed and exits 1. No secret is ever printed.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "directory_server.hpp"

namespace automation::testing {
namespace {

// What `ldap test` prints for `username` with `password` on stdin; *exit_code set.
std::string ldap_test(const Env& env, const std::string& username, const std::string& password,
                      int* exit_code) {
  ServerProcess process(env);
  std::string output;
  *exit_code = process.run_cli_with_input({"ldap", "test", "--username", username},
                                          password + "\n", &output);
  return output;
}

bool has(const std::string& output, const std::string& text) {
  return output.find(text) != std::string::npos;
}

std::string file_contents(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// A service password file (mode 600) holding a wrong password; removed with the object.
class WrongBindPasswordFile {
 public:
  WrongBindPasswordFile()
      : path_(std::filesystem::temp_directory_path() /
              ("automation-ldap-bind-" + std::to_string(::getpid()))) {
    std::ofstream(path_) << kSecret << '\n';
    std::filesystem::permissions(path_, std::filesystem::perms::owner_read |
                                            std::filesystem::perms::owner_write);
  }
  ~WrongBindPasswordFile() { std::filesystem::remove(path_); }
  WrongBindPasswordFile(const WrongBindPasswordFile&) = delete;
  WrongBindPasswordFile& operator=(const WrongBindPasswordFile&) = delete;
  std::string path() const { return path_.string(); }
  static constexpr const char* kSecret = "Wrong-Service-Passw0rd";

 private:
  std::filesystem::path path_;
};

TEST(DirectoryCli, AWorkingConfigurationShowsEachStepTheEntryAndTheRole) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  int exit_code = -1;
  const std::string output =
      ldap_test(directory_settings(directory), "alice", kDirectoryPassword, &exit_code);
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_TRUE(has(output, "ok\tservice bind as " + directory.bind_dn)) << output;
  EXPECT_TRUE(has(output, "dn\tuid=alice,ou=people,dc=plant,dc=test")) << output;
  EXPECT_TRUE(has(output, "group\t" + std::string(kOperators))) << output;
  EXPECT_TRUE(has(output, "role\toperator")) << output;
  EXPECT_TRUE(has(output, "result\tauthenticated")) << output;
  EXPECT_FALSE(has(output, kDirectoryPassword)) << output;
  EXPECT_FALSE(has(output, file_contents(directory.bind_password_file))) << output;

  // The user's wrong password: the bind as the user is the step that failed.
  const std::string wrong =
      ldap_test(directory_settings(directory), "alice", "not-her-password", &exit_code);
  EXPECT_EQ(exit_code, 1) << wrong;
  EXPECT_TRUE(has(wrong, "FAILED\tbind as uid=alice")) << wrong;
  EXPECT_FALSE(has(wrong, "not-her-password")) << wrong;
}

TEST(DirectoryCli, AWrongServicePasswordNamesTheServiceBind) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  const WrongBindPasswordFile wrong_file;
  Env env = directory_settings(directory);
  env["AUTOMATION_LDAP_BIND_PASSWORD_FILE"] = wrong_file.path();
  int exit_code = -1;
  const std::string output = ldap_test(env, "alice", kDirectoryPassword, &exit_code);
  EXPECT_EQ(exit_code, 1) << output;
  EXPECT_TRUE(has(output, "FAILED\tservice bind as " + directory.bind_dn)) << output;
  EXPECT_TRUE(has(output, "Invalid credentials")) << output;
  EXPECT_FALSE(has(output, "result\tauthenticated")) << output;
  EXPECT_FALSE(has(output, WrongBindPasswordFile::kSecret)) << output;
  EXPECT_FALSE(has(output, kDirectoryPassword)) << output;
}

TEST(DirectoryCli, AServerNobodyCanReachIsNamed) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  Env env = directory_settings(directory);
  const std::string dead_url = dead_directory_url();
  env["AUTOMATION_LDAP_URLS"] = dead_url;
  int exit_code = -1;
  const std::string output = ldap_test(env, "alice", kDirectoryPassword, &exit_code);
  EXPECT_EQ(exit_code, 1) << output;
  EXPECT_TRUE(has(output, "FAILED\t")) << output;
  EXPECT_TRUE(has(output, dead_url)) << output;
  EXPECT_TRUE(has(output, "Can't contact LDAP server")) << output;
  EXPECT_FALSE(has(output, "result\tauthenticated")) << output;
  EXPECT_FALSE(has(output, kDirectoryPassword)) << output;
}

}  // namespace
}  // namespace automation::testing
