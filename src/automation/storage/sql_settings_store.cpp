#include "automation/storage/sql_settings_store.hpp"

#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/dialect.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

namespace {

std::optional<std::string> read_setting(soci::session& sql, const std::string& key) {
  std::string value;
  soci::indicator ind = soci::i_null;
  sql << "SELECT value FROM settings WHERE \"key\" = :key", soci::use(key), soci::into(value, ind);
  if (!sql.got_data() || ind != soci::i_ok) return std::nullopt;
  return value;
}

}  // namespace

Result<std::optional<std::string>> SqlSettingsStore::get_setting(std::string_view key) {
  if (!is_storable_text(key)) return std::optional<std::string>();
  const std::string wanted(key);
  return db_.with_session([&wanted](soci::session& sql) -> Result<std::optional<std::string>> {
    return read_setting(sql, wanted);
  });
}

Result<std::string> SqlSettingsStore::put_setting_if_absent(std::string_view key,
                                                            std::string_view value) {
  if (auto ok = check_storable("key", key); !ok) return fail(ok.error());
  if (auto ok = check_storable("value", value); !ok) return fail(ok.error());
  const std::string stored_key(key);
  const std::string stored_value(value);
  // An insert that skips an existing key instead of catching the unique violation: on
  // PostgreSQL a failed statement aborts the whole transaction, and this way the insert
  // waits for a racing one and the read then sees the winner's value.
  const std::string_view insert = sql_for(db_.dialect()).insert_setting_if_absent;
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<std::string> {
    sql << insert, soci::use(stored_key), soci::use(stored_value);
    auto stored = read_setting(sql, stored_key);
    if (!stored) return fail(ErrorCode::kInternal, "setting vanished after insert");
    return std::move(*stored);
  });
}

Result<bool> SqlSettingsStore::replace_setting_if(std::string_view key, std::string_view expected,
                                                  std::string_view value) {
  if (auto ok = check_storable("key", key); !ok) return fail(ok.error());
  if (auto ok = check_storable("value", value); !ok) return fail(ok.error());
  if (!is_storable_text(expected)) return false;  // nothing stored can equal it
  const std::string stored_key(key);
  const std::string old_value(expected);
  const std::string new_value(value);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<bool> {
    if (old_value == new_value) {
      // MySQL reports 0 affected rows for an update that changes nothing.
      const auto stored = read_setting(sql, stored_key);
      return stored && *stored == old_value;
    }
    soci::statement update =
        (sql.prepare << "UPDATE settings SET value = :value WHERE \"key\" = :key AND value = :old",
         soci::use(new_value), soci::use(stored_key), soci::use(old_value));
    update.execute(true);
    return update.get_affected_rows() == 1;
  });
}

Status SqlSettingsStore::ping() {
  return db_.with_session([](soci::session& sql) -> Status {
    int one = 0;
    sql << "SELECT 1", soci::into(one);
    if (one != 1) return fail(ErrorCode::kUnavailable, "database answered ping wrongly");
    return {};
  });
}

}  // namespace automation::storage
