// `automation db ...`: migrate the configured database, or copy a SQLite one into it.

#include <iostream>
#include <memory>
#include <string>

#include "automation/app/database_admin.hpp"
#include "automation/cli/commands.hpp"

namespace automation::cli {
namespace {

struct CopyOptions {
  std::string source;
  bool replace = false;
};

// 2 when a setting is wrong (the message names it: unreachable host, refused login, unknown
// database); 1 anything else (a missing or unreadable SQLite source, a non-empty target
// without --replace, a database error).
int db_failure(const Error& error) {
  std::cerr << "automation: " << shown(error.message) << std::endl;
  return error.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

int db_migrate(CliContext& context) {
  auto config = load_config_or_report(context);
  if (!config) return context.exit_code;
  auto version = app::migrate_database(*config);
  if (!version) return db_failure(version.error());
  std::cout << "schema version " << *version << '\n';
  return kExitOk;
}

int db_copy_from_sqlite(CliContext& context, const CopyOptions& options) {
  auto config = load_config_or_report(context);
  if (!config) return context.exit_code;
  auto counts = app::copy_sqlite_database(*config, options.source, options.replace);
  if (!counts) return db_failure(counts.error());
  for (const auto& [table, rows] : *counts) print_row({table, std::to_string(rows)});
  return kExitOk;
}

}  // namespace

void add_db_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(cli, "db", "Migrate the database, or copy a SQLite one into it",
                                  "automation db migrate");

  auto* migrate =
      group.add_subcommand("migrate", "Apply pending migrations and print the schema version");
  set_example(*migrate, "automation --db-type postgresql --db-host db.plant.local db migrate");
  migrate->callback([&context] { context.exit_code = db_migrate(context); });

  auto options = std::make_shared<CopyOptions>();
  auto* copy = group.add_subcommand(
      "copy", "Copy every table of a SQLite database into the configured (PostgreSQL or MySQL) one");
  copy->add_option("--from-sqlite", options->source, "SQLite database file to copy from")
      ->required();
  copy->add_flag("--replace", options->replace,
                 "Delete what the target holds first (refused otherwise when not empty)");
  set_example(*copy, "automation --db-type postgresql db copy --from-sqlite /var/lib/automation/app.db");
  copy->callback([&context, options] { context.exit_code = db_copy_from_sqlite(context, *options); });
}

}  // namespace automation::cli
