#pragma once

// The command groups of the `automation` tool, one file each; main.cpp wires them.

#include <CLI/CLI.hpp>

#include "automation/cli/cli_context.hpp"

namespace automation::cli {

void add_serve_command(CLI::App& cli, CliContext& context);
void add_user_commands(CLI::App& cli, CliContext& context);
void add_role_commands(CLI::App& cli, CliContext& context);
void add_tpt_commands(CLI::App& cli, CliContext& context);
void add_session_commands(CLI::App& cli, CliContext& context);
void add_audit_commands(CLI::App& cli, CliContext& context);
void add_signature_commands(CLI::App& cli, CliContext& context);
void add_db_commands(CLI::App& cli, CliContext& context);
void add_config_commands(CLI::App& cli, CliContext& context);
void add_ldap_commands(CLI::App& cli, CliContext& context);
// `oidc client ...` under the `oidc` group (OpenID Connect provider).
void add_oidc_client_commands(CLI::App& oidc, CliContext& context);
// `automation oidc rotate-keys`, added to the `oidc` group main.cpp makes.
void add_oidc_key_commands(CLI::App& oidc, CliContext& context);
// Hidden `manpage`: automation(1) from this command tree (the build installs it).
void add_manual_page_command(CLI::App& cli);

}  // namespace automation::cli
