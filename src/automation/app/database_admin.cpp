#include "automation/app/database_admin.hpp"

#include <filesystem>
#include <map>
#include <system_error>
#include <memory>

#include "automation/storage/database.hpp"
#include "automation/storage/database_copy.hpp"
#include "automation/app/database_options.hpp"
#include "automation/storage/migrations.hpp"
#include "automation/storage/sqlite_backup.hpp"

namespace automation::app {

namespace {

// The setting behind each DatabaseOptions field that Database::open may blame.
const std::map<std::string, std::string>& setting_of_option() {
  static const std::map<std::string, std::string> kSettings = {
      {"type", "AUTOMATION_DB_TYPE"}, {"file", "AUTOMATION_DB_FILE"},
      {"host", "AUTOMATION_DB_HOST"}, {"port", "AUTOMATION_DB_PORT"},
      {"user", "AUTOMATION_DB_USER"}, {"password", "AUTOMATION_DB_PASSWORD"},
      {"name", "AUTOMATION_DB_NAME"}, {"sslmode", "AUTOMATION_DB_SSLMODE"}};
  return kSettings;
}

// A value as one shell word: as it is when it needs no quoting, else in single quotes.
std::string shell_word(const std::string& value) {
  const bool plain = !value.empty() && value.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789@%+=:,./_-") == std::string::npos;
  if (plain) return value;
  std::string quoted = "'";
  for (char c : value) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The connection options of the dump tools for the configured server (never the password:
// both tools ask for it, or read PGPASSWORD / ~/.pgpass, ~/.my.cnf).
std::string pg_connection(const config::DatabaseConfig& db) {
  std::string options = "--host=" + shell_word(db.host);
  if (db.port != 0) options += " --port=" + std::to_string(db.port);
  if (!db.user.empty()) options += " --username=" + shell_word(db.user);
  return options;
}

std::string mysql_connection(const config::DatabaseConfig& db) {
  std::string options = db.host.starts_with('/') ? "--socket=" + shell_word(db.host)
                                                 : "--host=" + shell_word(db.host);
  if (db.port != 0) options += " --port=" + std::to_string(db.port);
  if (!db.user.empty()) options += " --user=" + shell_word(db.user);
  return options + " --password";
}

// What `db backup` / `db restore` say on a server database: the tool to use, ready to run.
Error use_server_tools(const config::DatabaseConfig& db, bool backup) {
  const std::string name = shell_word(db.name.empty() ? std::string("automation") : db.name);
  std::string command;
  if (db.type == "postgresql") {
    command = backup ? "pg_dump --format=custom --file=automation.dump " + pg_connection(db) +
                           " " + name
                     : "pg_restore --clean --if-exists --no-owner " + pg_connection(db) +
                           " --dbname=" + name + " automation.dump";
  } else {
    command = backup ? "mariadb-dump --single-transaction --triggers " + mysql_connection(db) +
                           " " + name + " > automation.sql"
                     : "mariadb " + mysql_connection(db) + " " + name + " < automation.sql";
  }
  return Error::make(ErrorCode::kRuleViolation,
                     std::string("db ") + (backup ? "backup" : "restore") +
                         " works on SQLite databases only; for this " + db.type +
                         " database use its own tool, e.g.: " + command +
                         " (see docs/operations.md, Backups)");
}

Result<std::unique_ptr<storage::Database>> open_configured(const config::Config& config) {
  // One connection is all a command needs (a serving process sizes its pool to its threads).
  auto db = storage::Database::open(database_options(config.database, /*pool_size=*/1));
  if (!db) return fail(name_database_settings(std::move(db).error()));
  return std::move(*db);
}

}  // namespace

Error name_database_settings(Error error) {
  std::string settings;
  for (const auto& [option, setting] : setting_of_option()) {
    if (!error.fields.contains(option)) continue;
    if (!settings.empty()) settings += ", ";
    settings += setting;
  }
  if (settings.empty()) return error;
  return Error::make(ErrorCode::kInvalidArgument, settings + ": " + error.message);
}

Result<int> migrate_database(const config::Config& config) {
  auto db = open_configured(config);  // opening applies the pending migrations
  if (!db) return fail(db.error());
  return storage::current_schema_version(**db);
}

Result<CopyCounts> copy_sqlite_database(const config::Config& config,
                                        const std::string& source_file, bool replace) {
  std::error_code ignored;
  if (config.database.type == "sqlite" &&
      std::filesystem::equivalent(config.database.file, source_file, ignored)) {
    return fail(ErrorCode::kInvalidArgument,
                "AUTOMATION_DB_FILE: the target is the source file itself");
  }
  // The source first, so a wrong file name leaves the target untouched.
  auto source = storage::open_sqlite_source(source_file);
  if (!source) return fail(source.error());
  auto target = open_configured(config);
  if (!target) return fail(target.error());
  auto report = storage::copy_database(**source, **target, replace);
  if (!report) {
    Error error = std::move(report).error();
    // A value the target refuses (e.g. longer than a PostgreSQL VARCHAR(255), which SQLite
    // never enforced) is bad data in the source, not a setting: keep kInvalidArgument for
    // settings only, so the exit code tells the two apart.
    if (error.code == ErrorCode::kInvalidArgument) {
      error.code = ErrorCode::kRuleViolation;
      error.message = "a row of the source does not fit the target: " + error.message;
    }
    return fail(std::move(error));
  }
  CopyCounts counts;
  for (const auto& table : report->tables) counts.emplace_back(table.table, table.rows);
  return counts;
}

Result<BackupSummary> backup_database(const config::Config& config, const std::string& target) {
  if (config.database.type != "sqlite") return fail(use_server_tools(config.database, true));
  auto report = storage::backup_sqlite(config.database.file, target);
  if (!report) return fail(name_database_settings(std::move(report).error()));
  return BackupSummary{report->pages, report->bytes};
}

Result<RestoreSummary> restore_database(const config::Config& config,
                                        const std::string& backup_file,
                                        std::chrono::system_clock::time_point now) {
  if (config.database.type != "sqlite") return fail(use_server_tools(config.database, false));
  auto report = storage::restore_sqlite(backup_file, config.database.file, now);
  if (!report) return fail(name_database_settings(std::move(report).error()));
  return RestoreSummary{report->replaced_kept_as};
}

}  // namespace automation::app
