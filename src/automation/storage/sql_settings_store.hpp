#pragma once

#include "automation/core/ports.hpp"

namespace automation::storage {

class Database;

// SettingsStore on the `settings` table (key/value pairs shared by every process, e.g.
// the generated JWT secret), plus the health probe.
class SqlSettingsStore final : public SettingsStore {
 public:
  // db must outlive the store.
  explicit SqlSettingsStore(Database& db) : db_(db) {}

  Result<std::optional<std::string>> get_setting(std::string_view key) override;
  // Race-safe: INSERT ... ON CONFLICT DO NOTHING then a read in the same transaction, so
  // the first writer wins and every racer gets its value. kInvalidArgument for key or
  // value with NUL / invalid UTF-8.
  Result<std::string> put_setting_if_absent(std::string_view key,
                                            std::string_view value) override;
  // UPDATE ... WHERE key AND value = expected, counting the rows it changed; when `value`
  // equals `expected` (which MySQL counts as no change) the stored value is read instead.
  // kInvalidArgument for text with NUL / invalid UTF-8.
  Result<bool> replace_setting_if(std::string_view key, std::string_view expected,
                                  std::string_view value) override;
  // SELECT 1 on a pooled connection; kUnavailable when the database does not answer.
  Status ping() override;

 private:
  Database& db_;
};

}  // namespace automation::storage
