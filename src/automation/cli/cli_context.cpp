#include "automation/cli/cli_context.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

#include "automation/app/database_admin.hpp"
#include "automation/config/setting_table.hpp"
#include "automation/core/text.hpp"

namespace automation::cli {
namespace {

// Prints what the bootstrap did that the operator must know; the generated password goes to
// stdout exactly once and never to the log.
void announce(const app::BootstrapReport& report, bool serving) {
  if (report.generated_system_password) {
    std::cout << "Created user 'system' (sudo) with password: "
              << *report.generated_system_password
              << "\nIt will not be shown again; set AUTOMATION_SUPERUSER_PASSWORD to choose it."
              << std::endl;
  }
  if (report.system_role_repaired) {
    spdlog::warn("the system user had lost the sudo role; it was given back (audited)");
  }
  if (serving && !report.database_files_others_can_read.empty()) {
    std::string files;
    for (const std::string& file : report.database_files_others_can_read) {
      files += (files.empty() ? "" : ", ") + file;
    }
    spdlog::warn(
        "the SQLite database can be read by other accounts: {}; it holds password hashes, "
        "session digests and any secret kept in it (the TPT secret, the audit key, the signing "
        "key): chmod 600 it and its -wal and -shm files",
        files);
  }
  if (serving && report.signing_key_from_database) {
    spdlog::warn(
        "AUTOMATION_SIGNING_KEY_FILE is not set: electronic signatures are sealed with a key "
        "generated and kept in the database");
  }
  if (serving && report.secret_from_database) {
    spdlog::warn(
        "AUTOMATION_APP_SECRET_KEY is not set: third-party tokens are signed with a secret "
        "generated and kept in the database");
  }
  if (serving && report.oidc_keys_from_database) {
    spdlog::warn(
        "AUTOMATION_OIDC_RSA_KEY_FILE and AUTOMATION_OIDC_EC_KEY_FILE are not set: OpenID "
        "Connect tokens are signed with keys generated and kept in the database, so whoever "
        "reads it can sign tokens (see docs/oidc.md)");
  }
  if (serving && report.mfa_key_from_database) {
    spdlog::warn(
        "AUTOMATION_MFA_KEY_FILE is not set: MFA secrets are sealed with a key generated and "
        "kept in the database, so a copy of the database holds both (see docs/mfa.md)");
  }
}

// The configuration; an AUTOMATION_* key that no setting defines (a typo) is a warning line,
// not an error, so a settings file shared with a newer version still works
// (`automation config check` refuses them).
Result<config::Config> load_config(const CliContext& context) {
  auto dotenv = config::parse_dotenv(context.env_file);
  if (!dotenv) return std::unexpected(dotenv.error());
  config::Inspection inspection =
      config::inspect({std::move(*dotenv), config::read_environment(), context.settings});
  if (!inspection.problems.empty()) return fail(std::move(inspection.problems.front()));
  for (const auto& unknown : inspection.unknown) {
    spdlog::warn("{} is not a setting of this version (from the {}){}; it is ignored",
                 unknown.key, config::to_string(unknown.origin),
                 unknown.nearest.empty() ? "" : "; did you mean " + unknown.nearest + "?");
  }
  return std::move(inspection.config);
}

}  // namespace

void add_setting_flags(CLI::App& app, CliContext& context, config::FlagScope scope) {
  for (const config::Setting& setting : config::setting_table()) {
    if (setting.flag_scope != scope) continue;
    app.add_option_function<std::string>(
           setting.flag,
           [&context, key = setting.key](const std::string& value) {
             context.settings[key] = value;
           },
           setting.meaning + " (" + setting.key + ")")
        ->type_name("VALUE");
  }
}

void set_example(CLI::App& command, std::string_view example) {
  command.footer("Example:\n  " + std::string(example));
}

CLI::App& add_command_group(CLI::App& cli, const std::string& name,
                            const std::string& description, std::string_view example) {
  auto* group = cli.add_subcommand(name, description);
  group->require_subcommand(1);
  group->fallthrough();
  set_example(*group, example);
  return *group;
}

void run_on_database(CliContext& context, const std::function<int(app::Application&)>& command) {
  auto app = open_application(context);
  if (!app) return;
  context.exit_code = command(*app);
}

void print_json(const nlohmann::json& value) {
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

std::optional<config::Config> load_config_or_report(CliContext& context) {
  auto config = load_config(context);
  if (!config) {
    std::cerr << "automation: configuration error: " << shown(config.error().message) << std::endl;
    context.exit_code = kExitUsage;
    return std::nullopt;
  }
  return std::move(*config);
}

std::unique_ptr<app::Application> start_application(const config::Config& config,
                                                    CliContext& context, bool serving) {
  app::BootstrapReport bootstrap;
  auto application = app::Application::start(config, bootstrap);
  if (!application) {
    // A database that cannot be connected to is a setting to fix: name it, exit 2.
    const Error error = app::name_database_settings(application.error());
    std::cerr << "automation: cannot start: " << shown(error.message) << std::endl;
    context.exit_code = error.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    return nullptr;
  }
  announce(bootstrap, serving);
  return std::move(*application);
}

std::unique_ptr<app::Application> open_application(CliContext& context) {
  auto config = load_config_or_report(context);
  if (!config) return nullptr;
  return start_application(*config, context, /*serving=*/false);
}

std::string shown(std::string_view text) { return escape_controls(text); }

void print_row(std::initializer_list<std::string_view> fields) {
  std::string line;
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) line += '\t';
    first = false;
    line += shown(field);
  }
  line += '\n';
  std::cout << line;
}

int report_failure(const Error& error) {
  std::cerr << "automation: " << shown(error.message) << std::endl;
  for (const auto& [field, why] : error.fields) {
    std::cerr << "  " << shown(field) << ": " << shown(why) << std::endl;
  }
  return kExitFailure;
}

int report(const Status& status) { return status ? kExitOk : report_failure(status.error()); }

AuditRecord cli_audit_record(std::string_view event, std::string target, const Status& status) {
  return AuditRecord{std::string(event), "cli", std::move(target), "cli",
                     audit_outcome_of(status)};
}

std::string password_or_stdin(const std::optional<std::string>& flag) {
  if (flag) return *flag;
  std::string line;
  std::cerr << "Password: " << std::flush;
  std::getline(std::cin, line);
  return line;
}

}  // namespace automation::cli
