// The `automation` command-line tool: starts the server and administers users, roles,
// sessions, third-party tokens and the database (SPEC §1.3, §5). Exit codes: 0 done,
// 1 the operation was refused or failed, 2 bad usage or configuration.

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

#include "automation/app/logging.hpp"
#include "automation/cli/cli_context.hpp"
#include "automation/cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace automation::cli;
  spdlog::set_default_logger(spdlog::stderr_color_mt("automation"));
  automation::app::use_text_log_format();

  CLI::App cli{"automation: user management and authentication for industrial automation"};
  cli.set_version_flag("--version", std::string(AUTOMATION_VERSION));
  cli.require_subcommand(1);
  cli.footer(
      "Exit codes: 0 done; 1 the operation was refused or failed; 2 bad usage or "
      "configuration.\nRun 'automation COMMAND --help' for a command's options and an example.");
  CliContext context;
  cli.add_option("--env-file", context.env_file, "Settings file read before the environment")
      ->capture_default_str();
  add_setting_flags(cli, context, automation::config::FlagScope::kGlobal);

  add_serve_command(cli, context);
  add_user_commands(cli, context);
  add_session_commands(cli, context);
  add_role_commands(cli, context);
  add_tpt_commands(cli, context);
  add_audit_commands(cli, context);
  add_signature_commands(cli, context);
  add_db_commands(cli, context);
  add_config_commands(cli, context);
  add_ldap_commands(cli, context);
  auto& oidc = add_command_group(cli, "oidc", "OpenID Connect provider: signing keys and clients",
                                 "automation oidc client list");
  add_oidc_client_commands(oidc, context);
  add_oidc_key_commands(oidc, context);
  add_manual_page_command(cli);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version end here with 0; every usage error is 2, whatever CLI11 numbers it.
    return cli.exit(error) == 0 ? kExitOk : kExitUsage;
  }
  return context.exit_code;
}
