#include "automation/config/reference.hpp"

#include <string_view>

#include "automation/config/setting_table.hpp"

namespace automation::config {
namespace {

// The sections in table order, each once.
std::vector<std::string> sections() {
  std::vector<std::string> names;
  for (const Setting& setting : setting_table()) {
    if (names.empty() || names.back() != setting.section) names.push_back(setting.section);
  }
  return names;
}

std::string values_of(const Setting& setting) {
  if (setting.syntax.range.empty()) return setting.syntax.type;
  if (setting.syntax.type == "one of") return setting.syntax.range;
  return setting.syntax.type + ", " + setting.syntax.range;
}

std::string flag_of(const Setting& setting) {
  switch (setting.flag_scope) {
    case FlagScope::kNone:
      return "";
    case FlagScope::kGlobal:
      return setting.flag;
    case FlagScope::kServe:
      return "serve " + setting.flag;
  }
  return "";
}

// Markdown table cells: a '|' would end the cell.
std::string cell(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '|') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

// Wraps `text` into lines of at most `width` characters, each starting with `prefix`.
std::string wrapped(std::string_view text, std::string_view prefix, std::size_t width = 96) {
  std::string out;
  std::string line(prefix);
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    if (line.size() > prefix.size() && line.size() + 1 + word.size() > width) {
      out += line + '\n';
      line = std::string(prefix);
    }
    if (line.size() > prefix.size()) line += ' ';
    line += word;
    start = end + 1;
  }
  if (line.size() > prefix.size()) out += line + '\n';
  return out;
}

}  // namespace

std::string markdown_reference() {
  std::string out =
      "# Configuration\n\n"
      "<!-- Generated from the settings table (src/automation/config/setting_table.cpp) by\n"
      "     `automation config list --format markdown`; a test fails while this file differs.\n"
      "     Edit the table, then run scripts/generate-reference.sh. -->\n\n"
      "With this page you can set up the service: every setting it reads, its default, the values "
      "it takes and what it does.\n\n"
      "Settings are environment variables, the same keys in a settings file (`.env` in the working "
      "directory, or the file `--env-file` names), and command-line flags for some of them. Flags "
      "win over the environment, which wins over the file. The installed service reads "
      "`/etc/automation/automation.env` (see [install](install.md#running-it-as-a-service)). A bad "
      "value stops the process at start with one line naming the key (exit code 2).\n\n"
      "```sh\n"
      "# One setting for one run, from the environment or as a flag:\n"
      "AUTOMATION_PORT=8051 automation serve\n"
      "automation serve --port 8051\n"
      "# The same keys in a file:\n"
      "printf 'AUTOMATION_PORT=8051\\nAUTOMATION_SESSION_TTL=3600\\n' > plant.env\n"
      "automation --env-file plant.env serve\n"
      "```\n\n"
      "What the plant security controls do, and which IEC 62443-4-2 / 21 CFR Part 11 requirement "
      "each answers, is in [security controls](security-controls.md); every control that would "
      "change what PyAutomation clients see is off by default.\n\n"
      "- `automation config list` prints this table (`--json` for a program);\n"
      "- `automation config check` reads the configuration the way `serve` would and prints every "
      "value with where it came from (default, settings file, environment or flag), secrets "
      "masked; it exits 2 naming each bad or unknown key.\n\n";
  for (const std::string& section : sections()) {
    out += "## " + section + "\n\n| setting | default | values | meaning |\n|---|---|---|---|\n";
    for (const Setting& setting : setting_table()) {
      if (setting.section != section) continue;
      const std::string flag = flag_of(setting);
      const std::string shown_default = setting.default_text();
      std::string meaning = setting.meaning;
      if (!setting.details.empty()) meaning += ". " + setting.details;
      if (setting.secret) meaning += " (a secret: never printed)";
      // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about "`" + temporary.
      std::string shown = "(none)";
      if (!shown_default.empty()) {
        shown = cell(shown_default);
        if (setting.default_note.empty()) shown = '`' + shown + '`';
      }
      out += "| `";
      out += setting.key;
      out += '`';
      if (!flag.empty()) out += " (`" + flag + "`)";
      out += " | " + shown + " | " + cell(values_of(setting)) + " | " + cell(meaning) + " |\n";
    }
    out += "\n";
  }
  return out;
}

std::string env_file(const Settings& set) {
  std::string out =
      "# Settings of the automation service, one KEY=value a line; generated from the settings\n"
      "# table (`automation config list --format env`), with every setting at its default.\n"
      "# The service (systemd unit `automation`) reads this file with\n"
      "# `automation --env-file /etc/automation/automation.env`; run administrative commands the\n"
      "# same way, as the service user, so they use the same database:\n"
      "#   runuser -u automation -- automation --env-file /etc/automation/automation.env user "
      "list\n"
      "# `automation --env-file /etc/automation/automation.env config check` shows what is in\n"
      "# effect. A bad value stops the service at start with one line (journalctl -u automation)\n"
      "# naming the key. This file may hold secrets (database password, token secret): keep it\n"
      "# root:automation 0640.\n";
  for (const std::string& section : sections()) {
    out += "\n# --- " + section + " ---\n";
    for (const Setting& setting : setting_table()) {
      if (setting.section != section) continue;
      std::string meaning = setting.meaning;
      const std::string values = values_of(setting);
      if (!values.empty()) meaning += " [" + values + "]";
      if (!setting.default_note.empty()) meaning += " Default: " + setting.default_note + ".";
      out += wrapped(meaning, "# ");
      const auto chosen = set.find(setting.key);
      if (chosen != set.end()) {
        out += setting.key + "=" + chosen->second + "\n";
      } else {
        out += "#" + setting.key + "=" +
               (setting.default_note.empty() ? setting.default_text() : std::string()) + "\n";
      }
    }
  }
  return out;
}

std::string roff_environment() {
  std::string out =
      "Settings are read from the environment, from a settings file (\\fB.env\\fR in the "
      "working directory, or \\fB\\-\\-env\\-file\\fR), and from the flags named below; flags win "
      "over the environment, which wins over the file.\n";
  for (const std::string& section : sections()) {
    out += ".SS " + roff_text(section) + "\n";
    for (const Setting& setting : setting_table()) {
      if (setting.section != section) continue;
      out += ".TP\n.B " + roff_text(setting.key) + "\n";
      std::string text = setting.meaning;
      if (!setting.details.empty()) text += ". " + setting.details;
      out += roff_text(text) + ".\n";
      const std::string shown_default = setting.default_text();
      out += "Values: " + roff_text(values_of(setting)) +
             "; default: " + roff_text(shown_default.empty() ? "none" : shown_default) + ".";
      const std::string flag = flag_of(setting);
      if (!flag.empty()) out += " Flag: \\fB" + roff_text(flag) + "\\fR.";
      out += "\n";
    }
  }
  return out;
}

std::string roff_text(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '\\') {
      escaped += "\\e";
    } else if (c == '-') {
      escaped += "\\-";
    } else {
      escaped += c;
    }
  }
  if (!escaped.empty() && (escaped.front() == '.' || escaped.front() == '\'')) {
    escaped.insert(0, "\\&");
  }
  return escaped;
}

}  // namespace automation::config
