#include "automation/storage/sql_throttle_store.hpp"

#include <algorithm>
#include <string>
#include <vector>
#include <utility>

#include "automation/storage/database.hpp"
#include "automation/storage/dialect.hpp"
#include "automation/storage/inserted_id.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

namespace {

struct WindowCount {
  long long count = 0;
  long long oldest = 0;
};

WindowCount count_since(soci::session& sql, const std::string& key, long long since) {
  WindowCount window;
  soci::indicator oldest_ind = soci::i_null;  // MIN() of no rows is NULL
  sql << "SELECT COUNT(*), MIN(at) FROM login_failures WHERE \"key\" = :key AND at >= :since",
      soci::use(key), soci::use(since), soci::into(window.count),
      soci::into(window.oldest, oldest_ind);
  if (window.count == 0 || oldest_ind != soci::i_ok) window.oldest = 0;
  return window;
}

// Takes the per-key locks (PostgreSQL advisory locks, MySQL lock slots; SQLite's write lock
// covers everything) of `keys` in sorted order, until the transaction ends. Every writer of
// login_failures takes them before touching a row, so writers of the same keys queue instead
// of taking row locks in different orders (on MySQL that deadlocked, and the loser got 503).
void lock_keys(soci::session& sql, const DialectSql& d, std::vector<std::string> keys) {
  if (d.key_lock.empty()) return;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const auto& key : keys) sql << d.key_lock, soci::use(key, "key");
}

}  // namespace

Result<AttemptReservation> SqlThrottleStore::reserve_attempt(
    const std::vector<ThrottleLimit>& limits, UnixSeconds now, UnixSeconds since) {
  std::vector<std::pair<std::string, int>> keys;
  for (const auto& limit : limits) {
    if (limit.limit > 0) keys.emplace_back(sanitize_text(limit.key), limit.limit);
  }
  std::sort(keys.begin(), keys.end());
  const long long when = now;
  const long long from = since;
  const long long horizon = now - kRetentionSeconds;
  const DialectSql& d = sql_for(db_.dialect());
  // Filled by the transaction body (which returns a plain Status: GCC 12 warns falsely
  // about an expected<> holding a vector moved out of the type-erased body).
  AttemptReservation reservation;
  // Aside: a counted attempt stands even when the change it guards fails or is undone.
  std::vector<std::string> key_names;
  for (const auto& [key, limit] : keys) key_names.push_back(key);
  auto done = db_.transaction(TxMode::kWriteAside, [&](soci::session& sql) -> Status {
    reservation = AttemptReservation{};
    lock_keys(sql, d, key_names);
    for (const auto& [key, limit] : keys) {
      const WindowCount window = count_since(sql, key, from);
      if (window.count >= limit) {
        reservation.oldest_blocking = window.oldest;
        return {};  // nothing written: the commit is empty
      }
    }
    for (const auto& [key, limit] : keys) {
      const long long id =
          insert_returning_id(sql, d, "INSERT INTO login_failures (\"key\", at) VALUES (:key, :at)",
                              soci::use(key), soci::use(when));
      sql << "DELETE FROM login_failures WHERE \"key\" = :key AND at < :horizon", soci::use(key),
          soci::use(horizon);
      reservation.failure_ids.push_back(id);
    }
    reservation.granted = true;
    return {};
  });
  if (!done) return fail(done.error());
  return reservation;
}

Status SqlThrottleStore::release_attempt(const std::vector<std::int64_t>& failure_ids,
                                         std::string_view reset_key) {
  const std::string stored_key = sanitize_text(reset_key);
  const DialectSql& d = sql_for(db_.dialect());
  return db_.transaction(TxMode::kWriteAside, [&](soci::session& sql) -> Status {
    // The keys of the attempts (an account's and an address's) and the key reset: locked
    // like a reservation locks them before any row is touched. SQLite has no per-key locks
    // (its write lock covers all), so it skips looking the keys up.
    if (!d.key_lock.empty()) {
      std::vector<std::string> keys{stored_key};
      for (const std::int64_t failure_id : failure_ids) {
        const long long id = failure_id;
        std::string key;
        soci::indicator found = soci::i_null;
        sql << "SELECT \"key\" FROM login_failures WHERE id = :id", soci::use(id),
            soci::into(key, found);
        if (sql.got_data() && found == soci::i_ok) keys.push_back(std::move(key));
      }
      lock_keys(sql, d, std::move(keys));
    }
    for (const std::int64_t failure_id : failure_ids) {
      const long long id = failure_id;
      sql << "DELETE FROM login_failures WHERE id = :id", soci::use(id);
    }
    sql << "DELETE FROM login_failures WHERE \"key\" = :key", soci::use(stored_key);
    return {};
  });
}

Result<FailureWindow> SqlThrottleStore::failures_since(std::string_view key, UnixSeconds since) {
  const std::string stored_key = sanitize_text(key);
  const long long from = since;
  return db_.with_session([&](soci::session& sql) -> Result<FailureWindow> {
    const WindowCount window = count_since(sql, stored_key, from);
    return FailureWindow{static_cast<int>(window.count), window.oldest};
  });
}

Result<std::int64_t> SqlThrottleStore::clear_failures(std::string_view key) {
  const std::string stored_key = sanitize_text(key);
  const std::string prefix = stored_key + "|";
  // substr rather than LIKE: the key is data, and '%' or '_' in it must not match anything.
  const int prefix_length = static_cast<int>(prefix.size());
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<std::int64_t> {
    long long count = 0;
    sql << "SELECT COUNT(*) FROM login_failures WHERE \"key\" = :key"
           " OR substr(\"key\", 1, :length) = :prefix",
        soci::use(stored_key), soci::use(prefix_length), soci::use(prefix), soci::into(count);
    sql << "DELETE FROM login_failures WHERE \"key\" = :key"
           " OR substr(\"key\", 1, :length) = :prefix",
        soci::use(stored_key), soci::use(prefix_length), soci::use(prefix);
    return count;
  });
}

Result<std::int64_t> SqlThrottleStore::count_keys_at_limit(std::string_view prefix, int limit,
                                                           UnixSeconds since) {
  const std::string stored_prefix = sanitize_text(prefix);
  const int prefix_length = static_cast<int>(stored_prefix.size());
  const long long from = since;
  return db_.with_session([&](soci::session& sql) -> Result<std::int64_t> {
    long long count = 0;
    // substr rather than LIKE for the prefix, as in clear_failures: it is data.
    sql << "SELECT COUNT(*) FROM (SELECT \"key\" FROM login_failures WHERE at >= :since"
           " AND substr(\"key\", 1, :length) = :prefix AND \"key\" NOT LIKE '%|%'"
           " GROUP BY \"key\" HAVING COUNT(*) >= :limit) full_keys",
        soci::use(from), soci::use(prefix_length), soci::use(stored_prefix), soci::use(limit),
        soci::into(count);
    return count;
  });
}

}  // namespace automation::storage
