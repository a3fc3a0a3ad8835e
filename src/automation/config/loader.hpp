#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "automation/config/config.hpp"
#include "automation/config/setting.hpp"
#include "automation/core/error.hpp"

namespace automation::config {

// Key/value settings by their environment names (AUTOMATION_PORT, ...).
using Settings = std::map<std::string, std::string>;

// Where settings come from; later sources win: .env file < environment < command-line flags.
struct Sources {
  Settings dotenv;
  Settings environment;
  Settings flags;
};

// Parses a .env file: KEY=VALUE lines, '#' comments, optional `export `, optional single or
// double quotes around the value. A missing file is an empty result; unreadable or
// malformed lines are errors naming the line.
Result<Settings> parse_dotenv(const std::filesystem::path& path);

// The AUTOMATION_* variables of the process environment (the only place that reads it).
Settings read_environment();

// Where an effective value came from.
enum class Origin { kDefault, kSettingsFile, kEnvironment, kFlag };
std::string_view to_string(Origin origin) noexcept;

// One row of the settings table with the value in effect (as given, or the default's text).
struct EffectiveSetting {
  const Setting* setting = nullptr;
  std::string value;
  Origin origin = Origin::kDefault;
};

// An AUTOMATION_* key no setting defines (a typo, or a setting of another version).
struct UnknownSetting {
  std::string key;
  std::string nearest;  // the known key it most likely means, or ""
  Origin origin = Origin::kDefault;
};

// Everything the sources say: the configuration, every setting with its origin, every bad key
// (each as "KEY: why", in the table's order) and every unknown key.
struct Inspection {
  Config config;
  std::vector<EffectiveSetting> settings;
  std::vector<Error> problems;
  std::vector<UnknownSetting> unknown;
};
Inspection inspect(const Sources& sources);

// Merges the sources and validates every key; the first bad key gives one clear
// kInvalidArgument error ("AUTOMATION_PORT: must be an integer between 1 and 65535").
// Unknown keys are not errors here (inspect() lists them).
Result<Config> load(const Sources& sources);

}  // namespace automation::config
