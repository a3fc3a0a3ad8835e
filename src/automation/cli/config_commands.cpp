// `automation config list`: the settings table (every setting, its default, values, meaning),
// as text, JSON, the Markdown reference (docs/configuration.md) or a settings file
// (packaging/automation.env).
// `automation config check`: the configuration in effect, each value with its origin, secrets
// masked; exit 2 naming each bad or unknown key.

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "automation/cli/commands.hpp"
#include "automation/config/reference.hpp"
#include "automation/config/setting_table.hpp"
#include "automation/http/login_time.hpp"
#include "automation/http/tls_files.hpp"

namespace automation::cli {
namespace {

struct ListOptions {
  std::string format = "text";
  bool json = false;
  std::vector<std::string> set;  // KEY=VALUE lines uncommented in --format env
};

std::string_view scope_name(config::FlagScope scope) {
  switch (scope) {
    case config::FlagScope::kNone:
      return "";
    case config::FlagScope::kGlobal:
      return "global";
    case config::FlagScope::kServe:
      return "serve";
  }
  return "";
}

nlohmann::json setting_json(const config::Setting& setting) {
  nlohmann::json row = {{"key", setting.key},
                        {"section", setting.section},
                        {"type", setting.syntax.type},
                        {"range", setting.syntax.range},
                        {"default", setting.default_text()},
                        {"meaning", setting.meaning},
                        {"details", setting.details},
                        {"secret", setting.secret}};
  if (setting.flag_scope != config::FlagScope::kNone) {
    row["flag"] = setting.flag;
    row["flag_scope"] = scope_name(setting.flag_scope);
  }
  return row;
}

int list_settings(const ListOptions& options) {
  const std::string format = options.json ? "json" : options.format;
  if (format == "json") {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& setting : config::setting_table()) rows.push_back(setting_json(setting));
    print_json(rows);
  } else if (format == "markdown") {
    std::cout << config::markdown_reference();
  } else if (format == "env") {
    config::Settings set;
    for (const std::string& line : options.set) {
      const auto eq = line.find('=');
      if (eq == std::string::npos || !config::find_setting(line.substr(0, eq))) {
        std::cerr << "automation: --set " << line << ": expected KEY=VALUE with a known setting"
                  << std::endl;
        return kExitUsage;
      }
      set[line.substr(0, eq)] = line.substr(eq + 1);
    }
    std::cout << config::env_file(set);
  } else {
    for (const auto& setting : config::setting_table()) {
      std::cout << setting.key << '\t' << setting.default_text() << '\t' << setting.section << '\t'
                << setting.meaning << '\n';
    }
  }
  return kExitOk;
}

// The checks `serve` makes at start beyond the loader's, that need no database.
std::vector<std::string> start_up_problems(const config::Config& config) {
  std::vector<std::string> problems;
  if (auto zone = http::LoginTime::create(config.server.timezone); !zone) {
    problems.push_back("AUTOMATION_TIMEZONE: " + zone.error().message);
  }
  if (!config.server.tls_cert_file.empty()) {
    const http::TlsFiles files{config.server.tls_cert_file, config.server.tls_key_file};
    if (auto checked = http::check_tls_files(files); !checked) {
      problems.push_back(checked.error().message);
    }
  }
  return problems;
}

int check_settings(CliContext& context) {
  auto dotenv = config::parse_dotenv(context.env_file);
  if (!dotenv) {
    std::cerr << "automation: configuration error: " << dotenv.error().message << std::endl;
    return kExitUsage;
  }
  const config::Inspection inspection =
      config::inspect({std::move(*dotenv), config::read_environment(), context.settings});
  for (const auto& effective : inspection.settings) {
    const bool set = effective.origin != config::Origin::kDefault;
    const std::string shown = effective.setting->secret && set && !effective.value.empty()
                                  ? std::string("********")
                                  : effective.value;
    std::cout << effective.setting->key << '=' << shown << '\t' << to_string(effective.origin)
              << '\n';
  }
  std::vector<std::string> problems;
  for (const auto& error : inspection.problems) problems.push_back(error.message);
  for (const auto& unknown : inspection.unknown) {
    problems.push_back(unknown.key + ": unknown setting (from the " +
                       std::string(to_string(unknown.origin)) + ")" +
                       (unknown.nearest.empty() ? "" : "; did you mean " + unknown.nearest + "?"));
  }
  if (inspection.problems.empty()) {
    for (auto& problem : start_up_problems(inspection.config)) problems.push_back(problem);
  }
  for (const auto& problem : problems) {
    std::cerr << "automation: configuration error: " << problem << std::endl;
  }
  if (!problems.empty()) return kExitUsage;
  std::cout << "configuration OK\n";
  return kExitOk;
}

}  // namespace

void add_config_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(cli, "config", "List the settings, or check the configuration",
                                  "automation --env-file /etc/automation/automation.env config "
                                  "check");

  auto options = std::make_shared<ListOptions>();
  auto* list = group.add_subcommand("list", "Every setting: key, default, section, meaning");
  list->add_flag("--json", options->json,
                 "Print a JSON array (key, section, type, range, "
                 "default, meaning, details, secret, flag)");
  list->add_option("--format", options->format,
                   "text, json, markdown (docs/configuration.md) or env (a settings file)")
      ->check(CLI::IsMember({"text", "json", "markdown", "env"}))
      ->capture_default_str();
  list->add_option("--set", options->set,
                   "With --format env: KEY=VALUE written uncommented (repeatable)")
      ->type_name("KEY=VALUE");
  set_example(*list, "automation config list --format env > automation.env");
  list->callback([&context, options] { context.exit_code = list_settings(*options); });

  auto* check = group.add_subcommand(
      "check", "Check the configuration in effect; print every value and where it came from");
  set_example(*check, "automation --env-file /etc/automation/automation.env config check");
  check->callback([&context] { context.exit_code = check_settings(context); });
}

}  // namespace automation::cli
