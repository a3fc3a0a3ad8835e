#include "automation/storage/sql_throttle_store.hpp"

#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

Status SqlThrottleStore::record_failure(std::string_view key, UnixSeconds at) {
  const std::string stored_key = sanitize_text(key);
  const long long when = at;
  const long long horizon = at - kRetentionSeconds;
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    sql << "INSERT INTO login_failures (key, at) VALUES (:key, :at)", soci::use(stored_key),
        soci::use(when);
    sql << "DELETE FROM login_failures WHERE key = :key AND at < :horizon",
        soci::use(stored_key), soci::use(horizon);
    return {};
  });
}

Result<FailureWindow> SqlThrottleStore::failures_since(std::string_view key, UnixSeconds since) {
  const std::string stored_key = sanitize_text(key);
  const long long from = since;
  return db_.with_session([&](soci::session& sql) -> Result<FailureWindow> {
    long long count = 0;
    long long oldest = 0;
    soci::indicator oldest_ind = soci::i_null;  // MIN() of no rows is NULL
    sql << "SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = :key AND at >= :since",
        soci::use(stored_key), soci::use(from), soci::into(count), soci::into(oldest, oldest_ind);
    FailureWindow window;
    window.count = static_cast<int>(count);
    window.oldest = (count > 0 && oldest_ind == soci::i_ok) ? oldest : 0;
    return window;
  });
}

Status SqlThrottleStore::clear_failures(std::string_view key) {
  const std::string stored_key = sanitize_text(key);
  return db_.transaction(TxMode::kWrite, [&stored_key](soci::session& sql) -> Status {
    sql << "DELETE FROM login_failures WHERE key = :key", soci::use(stored_key);
    return {};
  });
}

}  // namespace automation::storage
