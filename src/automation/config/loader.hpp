#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "automation/config/config.hpp"
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

// Merges the sources and validates every key; the first bad key gives one clear
// kInvalidArgument error ("AUTOMATION_PORT: must be an integer between 1 and 65535").
Result<Config> load(const Sources& sources);

}  // namespace automation::config
