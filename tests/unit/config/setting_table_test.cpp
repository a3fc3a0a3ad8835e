#include "automation/config/setting_table.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "automation/config/loader.hpp"
#include "automation/config/reference.hpp"

namespace automation::config {
namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SettingTable, KeysAreUniqueDocumentedAndFlagsNamed) {
  std::set<std::string> keys;
  std::set<std::string> flags;
  for (const Setting& setting : setting_table()) {
    EXPECT_TRUE(setting.key.starts_with("AUTOMATION_")) << setting.key;
    EXPECT_FALSE(setting.key.starts_with(kTestSettingPrefix)) << setting.key;
    EXPECT_TRUE(keys.insert(setting.key).second) << "twice: " << setting.key;
    EXPECT_FALSE(setting.section.empty()) << setting.key;
    EXPECT_FALSE(setting.meaning.empty()) << setting.key;
    EXPECT_FALSE(setting.syntax.type.empty()) << setting.key;
    EXPECT_EQ(setting.flag.empty(), setting.flag_scope == FlagScope::kNone) << setting.key;
    if (!setting.flag.empty()) {
      EXPECT_TRUE(setting.flag.starts_with("--")) << setting.key;
      EXPECT_TRUE(flags.insert(setting.flag).second) << "flag twice: " << setting.flag;
    }
    EXPECT_EQ(find_setting(setting.key), &setting);
  }
  EXPECT_EQ(find_setting("AUTOMATION_NO_SUCH_SETTING"), nullptr);
  EXPECT_GE(keys.size(), 45u);
}

// The default shown for a setting is a value it accepts, and setting it changes nothing:
// what the reference says the default is, is the default.
TEST(SettingTable, ShownDefaultsAreTheDefaults) {
  const Config defaults;
  for (const Setting& setting : setting_table()) {
    if (!setting.default_note.empty()) continue;  // "generated", "the driver's": no value
    const std::string shown = setting.default_text();
    if (shown.empty() && setting.syntax.range == "not empty") continue;
    Config config;
    auto parsed = setting.syntax.parse(shown, config);
    ASSERT_TRUE(parsed) << setting.key << "=" << shown << ": " << parsed.error().message;
    EXPECT_EQ(setting.syntax.show(config), setting.syntax.show(defaults)) << setting.key;
  }
}

TEST(SettingTable, SectionsAreContiguous) {
  std::set<std::string> finished;
  std::string current;
  for (const Setting& setting : setting_table()) {
    if (setting.section == current) continue;
    EXPECT_FALSE(finished.contains(setting.section))
        << setting.section << " split at " << setting.key;
    if (!current.empty()) finished.insert(current);
    current = setting.section;
  }
}

// docs/configuration.md and packaging/automation.env are generated from the table; a setting
// added, removed or changed without regenerating them fails here.
TEST(SettingTable, GeneratedReferenceIsUpToDate) {
  EXPECT_EQ(read_file(AUTOMATION_CONFIGURATION_REFERENCE), markdown_reference())
      << "docs/configuration.md differs from the settings table: run "
         "scripts/generate-reference.sh";
}

TEST(SettingTable, PackagedSettingsFileIsUpToDate) {
  EXPECT_EQ(read_file(AUTOMATION_PACKAGED_ENV_FILE),
            env_file({{"AUTOMATION_DB_FILE", "/var/lib/automation/app.db"}}))
      << "packaging/automation.env differs from the settings table: run "
         "scripts/generate-reference.sh";
}

TEST(SettingTable, ReferenceListsEverySettingWithItsDefault) {
  const std::string reference = markdown_reference();
  const std::string env = env_file({});
  const std::string manual = roff_environment();
  for (const Setting& setting : setting_table()) {
    EXPECT_NE(reference.find("`" + setting.key + "`"), std::string::npos) << setting.key;
    EXPECT_NE(env.find("#" + setting.key + "="), std::string::npos) << setting.key;
    EXPECT_NE(manual.find(".B " + roff_text(setting.key) + "\n"), std::string::npos) << setting.key;
  }
  EXPECT_NE(env.find("\n#AUTOMATION_PORT=8050\n"), std::string::npos);
  EXPECT_NE(env_file({{"AUTOMATION_PORT", "9000"}}).find("\nAUTOMATION_PORT=9000\n"),
            std::string::npos);
}

TEST(ConfigInspection, ReportsEveryValueWithItsOrigin) {
  const Inspection inspection =
      inspect(Sources{{{"AUTOMATION_PORT", "1000"}, {"AUTOMATION_HOST", "0.0.0.0"}},
                      {{"AUTOMATION_PORT", "2000"}, {"AUTOMATION_DB_PASSWORD", "s3cret"}},
                      {{"AUTOMATION_THREADS", "3"}}});
  ASSERT_TRUE(inspection.problems.empty());
  ASSERT_EQ(inspection.settings.size(), setting_table().size());
  auto effective = [&](std::string_view key) {
    for (const auto& row : inspection.settings) {
      if (row.setting->key == key) return row;
    }
    ADD_FAILURE() << key;
    return EffectiveSetting{};
  };
  EXPECT_EQ(effective("AUTOMATION_PORT").value, "2000");
  EXPECT_EQ(effective("AUTOMATION_PORT").origin, Origin::kEnvironment);
  EXPECT_EQ(effective("AUTOMATION_HOST").origin, Origin::kSettingsFile);
  EXPECT_EQ(effective("AUTOMATION_THREADS").origin, Origin::kFlag);
  EXPECT_EQ(effective("AUTOMATION_TIMEZONE").value, "America/Caracas");
  EXPECT_EQ(effective("AUTOMATION_TIMEZONE").origin, Origin::kDefault);
  EXPECT_TRUE(effective("AUTOMATION_DB_PASSWORD").setting->secret);
  EXPECT_EQ(inspection.config.server.port, 2000);
  EXPECT_EQ(inspection.config.server.threads, 3u);
}

TEST(ConfigInspection, NamesEveryBadKeyAndEveryUnknownOne) {
  const Inspection inspection = inspect(Sources{{},
                                                {{"AUTOMATION_PORT", "0"},
                                                 {"AUTOMATION_ALLOW_SIGNUP", "maybe"},
                                                 {"AUTOMATION_PORTT", "8050"},
                                                 {"AUTOMATION_TEST_PG_HOST", "127.0.0.1"},
                                                 {"OTHER_THING", "x"}},
                                                {}});
  ASSERT_EQ(inspection.problems.size(), 2u);
  EXPECT_EQ(inspection.problems[0].message.rfind("AUTOMATION_PORT:", 0), 0u);
  EXPECT_EQ(inspection.problems[1].message.rfind("AUTOMATION_ALLOW_SIGNUP:", 0), 0u);
  ASSERT_EQ(inspection.unknown.size(), 1u);  // test-suite keys and other prefixes left alone
  EXPECT_EQ(inspection.unknown[0].key, "AUTOMATION_PORTT");
  EXPECT_EQ(inspection.unknown[0].nearest, "AUTOMATION_PORT");
  EXPECT_EQ(inspection.unknown[0].origin, Origin::kEnvironment);
  // load() reports the first, and unknown keys are no error there.
  auto loaded = load(Sources{{}, {{"AUTOMATION_PORTT", "1"}}, {}});
  EXPECT_TRUE(loaded);
}

}  // namespace
}  // namespace automation::config
