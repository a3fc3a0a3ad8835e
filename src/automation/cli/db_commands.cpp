// `automation db ...`: migrate the configured database, copy a SQLite one into it, back a
// SQLite database up while servers run on it, or restore one.

#include <chrono>
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

int db_backup(CliContext& context, const std::string& target) {
  auto config = load_config_or_report(context);
  if (!config) return context.exit_code;
  auto backup = app::backup_database(*config, target);
  if (!backup) return db_failure(backup.error());
  std::cout << "backup of " << config->database.file << " written to " << target << " ("
            << backup->pages << " pages, " << backup->bytes << " bytes, integrity check ok)\n";
  return kExitOk;
}

int db_restore(CliContext& context, const std::string& backup_file) {
  auto config = load_config_or_report(context);
  if (!config) return context.exit_code;
  auto restored =
      app::restore_database(*config, backup_file, std::chrono::system_clock::now());
  if (!restored) return db_failure(restored.error());
  std::cout << "restored " << config->database.file << " from " << backup_file;
  if (restored->replaced_kept_as.empty()) {
    std::cout << " (there was no database there before)\n";
  } else {
    std::cout << "; the database it replaced is kept as " << restored->replaced_kept_as << '\n';
  }
  return kExitOk;
}

}  // namespace

void add_db_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(
      cli, "db", "Migrate, copy, back up or restore the database", "automation db migrate");

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

  auto target = std::make_shared<std::string>();
  auto* backup = group.add_subcommand(
      "backup",
      "Copy the SQLite database to a new file (mode 0600) while servers run on it: one "
      "consistent snapshot, integrity-checked (PostgreSQL, MySQL: names the dump tool to use)");
  backup->add_option("--to", *target, "New file to write; an existing file is never overwritten")
      ->required();
  set_example(*backup, "automation --db-file /var/lib/automation/app.db db backup --to /var/backups/automation/app-1.db");
  backup->callback([&context, target] { context.exit_code = db_backup(context, *target); });

  auto source = std::make_shared<std::string>();
  auto* restore = group.add_subcommand(
      "restore",
      "Replace the SQLite database by a backup; refused while a server or command has it open. "
      "The replaced file is kept as <database>.replaced-<UTC time>");
  restore->add_option("--from", *source, "Backup file made by `db backup`")->required();
  set_example(*restore, "automation --db-file /var/lib/automation/app.db db restore --from /var/backups/automation/app-1.db");
  restore->callback([&context, source] { context.exit_code = db_restore(context, *source); });
}

}  // namespace automation::cli
