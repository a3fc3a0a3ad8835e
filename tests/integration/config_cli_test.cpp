// `automation config list` and `automation config check`: the settings table as the tool
// prints it, and the configuration in effect with its origins, secrets masked, every bad or
// unknown key named (exit 2).

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "server_process.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;
using Env = std::map<std::string, std::string>;

TEST(ConfigCommands, ListPrintsEverySettingAsJson) {
  ServerProcess process;
  std::string output;
  ASSERT_EQ(process.run_cli({"config", "list", "--json"}, &output), 0) << output;
  const json rows = json::parse(output.substr(output.find('[')));
  ASSERT_TRUE(rows.is_array());
  EXPECT_GE(rows.size(), 45u);
  bool port_seen = false;
  for (const auto& row : rows) {
    EXPECT_TRUE(row.contains("key") && row.contains("default") && row.contains("meaning") &&
                row.contains("section") && row.contains("secret"))
        << row.dump();
    if (row["key"] == "AUTOMATION_PORT") {
      port_seen = true;
      EXPECT_EQ(row["default"], "8050");
      EXPECT_EQ(row["flag"], "--port");
      EXPECT_EQ(row["flag_scope"], "serve");
    }
  }
  EXPECT_TRUE(port_seen);
}

TEST(ConfigCommands, CheckShowsOriginsAndMasksSecrets) {
  ServerProcess process(Env{{"AUTOMATION_SESSION_TTL", "3600"}});
  std::string output;
  ASSERT_EQ(process.run_cli({"config", "check"}, &output), 0) << output;
  EXPECT_NE(output.find("AUTOMATION_SESSION_TTL=3600\tenvironment"), std::string::npos) << output;
  EXPECT_NE(output.find("AUTOMATION_PORT=8050\tdefault"), std::string::npos) << output;
  if (process.backend() == TestBackend::kSqlite) {  // elsewhere the flags name the server
    EXPECT_NE(output.find("AUTOMATION_DB_FILE=" + process.db_file().string() + "\tflag"),
              std::string::npos)
        << output;
  }
  EXPECT_NE(output.find("AUTOMATION_SUPERUSER_PASSWORD=********\tenvironment"), std::string::npos)
      << output;
  EXPECT_EQ(output.find(kSystemPassword), std::string::npos) << output;
  EXPECT_EQ(output.find(kTestAppSecret), std::string::npos) << output;
  EXPECT_NE(output.find("configuration OK"), std::string::npos);
  EXPECT_TRUE(process.database_untouched()) << "config check must not open the database";
}

TEST(ConfigCommands, CheckNamesEveryBadAndUnknownKey) {
  ServerProcess process(Env{{"AUTOMATION_PORT", "0"},
                            {"AUTOMATION_ALLOW_SIGNUP", "maybe"},
                            {"AUTOMATION_SESION_TTL", "60"},
                            {"AUTOMATION_TIMEZONE", "Mars/Olympus_Mons"}});
  std::string output;
  EXPECT_EQ(process.run_cli({"config", "check"}, &output), 2) << output;
  EXPECT_NE(output.find("AUTOMATION_PORT: must be an integer between 1 and 65535"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("AUTOMATION_ALLOW_SIGNUP: must be true or false"), std::string::npos);
  EXPECT_NE(output.find("AUTOMATION_SESION_TTL: unknown setting (from the environment); did you "
                        "mean AUTOMATION_SESSION_TTL?"),
            std::string::npos)
      << output;
}

TEST(ConfigCommands, CheckRunsTheStartUpChecksThatNeedNoDatabase) {
  ServerProcess process(Env{{"AUTOMATION_TIMEZONE", "Mars/Olympus_Mons"}});
  std::string output;
  EXPECT_EQ(process.run_cli({"config", "check"}, &output), 2) << output;
  EXPECT_NE(output.find("AUTOMATION_TIMEZONE:"), std::string::npos) << output;
}

TEST(ConfigCommands, AnUnknownKeyIsAWarningForOtherCommands) {
  ServerProcess process(Env{{"AUTOMATION_SESION_TTL", "60"}});
  std::string output;
  ASSERT_EQ(process.run_cli({"role", "list"}, &output), 0) << output;
  EXPECT_NE(output.find("AUTOMATION_SESION_TTL is not a setting of this version (from the "
                        "environment); did you mean AUTOMATION_SESSION_TTL?"),
            std::string::npos)
      << output;
}

TEST(ConfigCommands, EnvFormatWritesAChosenValueUncommented) {
  ServerProcess process;
  std::string output;
  ASSERT_EQ(process.run_cli({"config", "list", "--format", "env", "--set", "AUTOMATION_PORT=9000"},
                            &output),
            0)
      << output;
  EXPECT_NE(output.find("\nAUTOMATION_PORT=9000\n"), std::string::npos);
  EXPECT_NE(output.find("\n#AUTOMATION_HOST=127.0.0.1\n"), std::string::npos);
  EXPECT_EQ(
      process.run_cli({"config", "list", "--format", "env", "--set", "AUTOMATION_NOPE=1"}, &output),
      2);
}

}  // namespace
}  // namespace automation::testing
