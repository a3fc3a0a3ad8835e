#pragma once

// What every command of the `automation` tool shares: the global flags, the exit code
// convention, opening the configured database, reporting errors and auditing.

#include <CLI/CLI.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "automation/app/application.hpp"
#include "automation/config/loader.hpp"
#include "automation/config/setting.hpp"
#include "automation/core/audit_log.hpp"
#include "automation/core/error.hpp"

namespace automation::cli {

// Exit codes of every command (docs/cli.md).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // the operation was refused or failed
constexpr int kExitUsage = 2;    // bad usage (flags) or configuration (settings, database)

// The global flags, each also an AUTOMATION_* setting, and the exit code of the command run.
struct CliContext {
  std::string env_file = ".env";
  config::Settings settings;
  int exit_code = kExitOk;
};

// Adds the flags of the settings table's rows of `scope` (--port for AUTOMATION_PORT, ...) to
// `app`, each an override of its setting.
void add_setting_flags(CLI::App& app, CliContext& context, config::FlagScope scope);

// Appends "Example:" lines to a command's --help.
void set_example(CLI::App& command, std::string_view example);

// A command group (`user`, `session`, ...): one of its subcommands must follow, and the
// global flags may come after them.
CLI::App& add_command_group(CLI::App& cli, const std::string& name,
                            const std::string& description, std::string_view example);

// Opens the configured database (see open_application) and runs `command` on it; the exit
// code is what `command` returns, or what opening it failed with.
void run_on_database(CliContext& context, const std::function<int(app::Application&)>& command);

// The configuration, or nullopt after printing one line naming the bad key (exit 2).
std::optional<config::Config> load_config_or_report(CliContext& context);

// Opens the database and bootstraps (roles, system user, TPT secret), reporting failures as
// one line: a database setting to fix exits 2, anything else 1. `serving` also warns about a
// database-kept TPT secret.
std::unique_ptr<app::Application> start_application(const config::Config& config,
                                                    CliContext& context, bool serving);

// For the administrative commands: configuration, then the application.
std::unique_ptr<app::Application> open_application(CliContext& context);

// Text for people: every value the tool prints goes through escape_controls (core/text.hpp),
// so nothing stored in the database or typed by a client (an audited username, a role or
// token description, an error that quotes input) can add a line, move the cursor or reorder
// text on the operator's terminal. --json output is JSON-escaped instead.
std::string shown(std::string_view text);
// One line of tab-separated fields on stdout, each shown().
void print_row(std::initializer_list<std::string_view> fields);

// Prints the error (and each field's reason) as "automation: ..." and returns kExitFailure.
int report_failure(const Error& error);
// kExitOk, or report_failure.
int report(const Status& status);

// The outcome of a Result without its value.
template <typename T>
Status status_of(const Result<T>& result) {
  if (result) return {};
  return std::unexpected(result.error());
}

// Prints `--json` output: indented, invalid UTF-8 from legacy data replaced.
void print_json(const nlohmann::json& value);

// The audit event of an administrative change made through the tool, as the API records
// its own: actor "cli", address "cli", outcome success/denied/failure with reason.
AuditRecord cli_audit_record(std::string_view event, std::string target, const Status& status);

// Runs change() (Status or Result<T>) so that it stands only if its audit event is written
// (AuditedChanges); target_of(result) names the target, from what the change did.
template <typename Change, typename TargetOf>
auto run_audited_naming(app::Application& app, std::string_view event, TargetOf&& target_of,
                        Change&& change) -> std::invoke_result_t<Change&> {
  return app.core().audited().run(change, [&](const auto& result) {
    return cli_audit_record(event, target_of(result), status_of(result));
  });
}

// The same for a target known beforehand.
template <typename Change>
auto run_audited(app::Application& app, std::string_view event, const std::string& target,
                 Change&& change) -> std::invoke_result_t<Change&> {
  return run_audited_naming(app, event, [&](const auto&) { return target; }, change);
}

// A password from the flag, or else one line from standard input (so it stays out of
// the shell history and the process list).
std::string password_or_stdin(const std::optional<std::string>& flag);

}  // namespace automation::cli
