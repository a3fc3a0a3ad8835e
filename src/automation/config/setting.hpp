#pragma once

// One configuration setting as the settings table (setting_table.hpp) defines it: its key,
// what it means, which values it takes, and how a value lands in Config. The table is the only
// place a setting is defined; the loader, `automation config list/check`, the generated
// reference (docs/configuration.md), the packaged settings file and the man page all read it.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/config/config.hpp"
#include "automation/core/error.hpp"

namespace automation::config {

// How a setting reads its text: the type and range shown to people, and the two directions
// between text and Config. `parse` is given a value that is present (possibly empty) and says
// why it is refused, without the key (the loader prefixes it); `show` renders the current value
// of a Config as the text that would set it ("" for none).
struct ValueSyntax {
  std::string type;   // "integer", "boolean", "text", "path", "one of", ...
  std::string range;  // "1-65535", "sqlite, postgresql, mysql", "" (any)
  std::function<Status(std::string_view text, Config& config)> parse;
  std::function<std::string(const Config& config)> show;
};

// Where a setting is also a command-line flag.
enum class FlagScope {
  kNone,    // environment and settings files only
  kGlobal,  // a flag of every command (the database: --db-file, ...)
  kServe,   // a flag of `automation serve`
};

struct Setting {
  std::string key;      // AUTOMATION_...
  std::string section;  // heading it is listed under ("HTTP server", "Database", ...)
  std::string meaning;  // one line (more in `details`)
  ValueSyntax syntax;
  // Longer explanation for the reference and the man page ("" = none).
  std::string details = {};
  bool secret = false;  // never printed: `config check` masks it
  FlagScope flag_scope = FlagScope::kNone;
  std::string flag = {};  // "--port" when flag_scope != kNone
  // What to show as the default instead of the default Config's value ("" = that value), for
  // defaults that are not a value of their own ("generated", "one per core").
  std::string default_note = {};

  // The default as text: default_note, or the value of a default Config.
  std::string default_text() const;
};

}  // namespace automation::config
