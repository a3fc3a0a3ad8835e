#include "automation/app/database_admin.hpp"

#include <filesystem>
#include <map>
#include <system_error>
#include <memory>

#include "automation/storage/database.hpp"
#include "automation/storage/database_copy.hpp"
#include "automation/app/database_options.hpp"
#include "automation/storage/migrations.hpp"

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

}  // namespace automation::app
