#include "automation/storage/sql_password_store.hpp"

#include <algorithm>

#include "automation/storage/database.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

namespace {

// The schema version that began keeping password records (see password_state()).
constexpr int kPasswordRecordsVersion = 8;

}  // namespace

Status write_password_hash(soci::session& sql, std::int64_t user_id, const std::string& hash,
                           const SessionRevocation& revocation) {
  soci::statement update = (sql.prepare << "UPDATE users SET password = :hash WHERE id = :id",
                            soci::use(hash), soci::use(user_id));
  update.execute(true);
  if (update.get_affected_rows() == 0) return fail(ErrorCode::kNotFound, "User not found");
  if (revocation.revoke) {
    // No session has an empty digest, so keep_digest "" ends them all.
    sql << "DELETE FROM sessions WHERE user_id = :id AND token_digest <> :keep",
        soci::use(user_id), soci::use(revocation.keep_digest);
    // Every OpenID Connect refresh token of the user ends, the kept session's too: a password
    // change ends what was granted with the old password (the other sessions' codes and
    // tokens go with their sessions anyway, by the foreign keys).
    sql << "DELETE FROM oidc_refresh_tokens WHERE user_id = :id", soci::use(user_id);
  }
  return {};
}

void write_password_state(soci::session& sql, std::int64_t user_id, UnixSeconds set_at,
                          bool must_change) {
  const long long at = set_at;
  const int must = must_change ? 1 : 0;
  // Delete and insert: portable where upsert syntax differs (SQLite, PostgreSQL, MySQL).
  sql << "DELETE FROM password_state WHERE user_id = :id", soci::use(user_id);
  sql << "INSERT INTO password_state (user_id, set_at, must_change) VALUES (:id, :at, :must)",
      soci::use(user_id), soci::use(at), soci::use(must);
}

void forget_password_records(soci::session& sql, std::int64_t user_id) {
  sql << "DELETE FROM password_state WHERE user_id = :id", soci::use(user_id);
  sql << "DELETE FROM password_history WHERE user_id = :id", soci::use(user_id);
  // The directory's record too: a user created locally must not become a directory user.
  sql << "DELETE FROM directory_accounts WHERE user_id = :id", soci::use(user_id);
}

Result<PasswordState> SqlPasswordStore::password_state(std::int64_t user_id) {
  return db_.transaction(TxMode::kRead, [user_id](soci::session& sql) -> Result<PasswordState> {
    long long set_at = 0;
    int must_change = 0;
    soci::indicator found = soci::i_null;
    sql << "SELECT set_at, must_change FROM password_state WHERE user_id = :id",
        soci::use(user_id), soci::into(set_at, found), soci::into(must_change);
    if (sql.got_data() && found == soci::i_ok) return PasswordState{set_at, must_change != 0};
    long long since = 0;
    soci::indicator applied = soci::i_null;
    sql << "SELECT applied_at FROM schema_version WHERE version = :v",
        soci::use(kPasswordRecordsVersion), soci::into(since, applied);
    return PasswordState{applied == soci::i_ok ? since : 0, false};
  });
}

Result<std::vector<std::string>> SqlPasswordStore::previous_password_hashes(std::int64_t user_id,
                                                                            int limit) {
  if (limit <= 0) return std::vector<std::string>();
  const long long wanted = limit;
  return db_.transaction(
      TxMode::kRead, [&](soci::session& sql) -> Result<std::vector<std::string>> {
        struct HashRow {
          std::string hash;
          void bind(soci::statement& st) { st.exchange(soci::into(hash)); }
        };
        return query_rows<HashRow>(sql,
                                   "SELECT password_hash FROM password_history"
                                   " WHERE user_id = :id ORDER BY id DESC LIMIT :n",
                                   [](const HashRow& row) { return row.hash; }, user_id, wanted);
      });
}

Status SqlPasswordStore::replace_password(std::int64_t user_id, const PasswordUpdate& update) {
  if (auto ok = check_storable("password", update.hash); !ok) return ok;
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    std::string old_hash;
    soci::indicator old_ind = soci::i_null;
    sql << "SELECT password FROM users WHERE id = :id", soci::use(user_id),
        soci::into(old_hash, old_ind);
    if (!sql.got_data()) return fail(ErrorCode::kNotFound, "User not found");
    if (auto written = write_password_hash(sql, user_id, update.hash, update.revocation);
        !written) {
      return written;
    }
    if (update.history_depth > 0 && old_ind == soci::i_ok && !old_hash.empty()) {
      const long long at = update.set_at;
      sql << "INSERT INTO password_history (user_id, password_hash, replaced_at)"
             " VALUES (:id, :hash, :at)",
          soci::use(user_id), soci::use(old_hash), soci::use(at);
    }
    // Keep the newest history_depth: ids below the oldest kept one go (two statements,
    // as MySQL refuses LIMIT in a subquery of DELETE).
    const long long depth = std::max(update.history_depth, 0);
    long long oldest_kept = 0;
    soci::indicator kept_ind = soci::i_null;
    if (depth > 0) {
      const long long skip = depth - 1;
      sql << "SELECT id FROM password_history WHERE user_id = :id"
             " ORDER BY id DESC LIMIT 1 OFFSET :skip",
          soci::use(user_id), soci::use(skip), soci::into(oldest_kept, kept_ind);
    }
    if (depth == 0) {
      sql << "DELETE FROM password_history WHERE user_id = :id", soci::use(user_id);
    } else if (sql.got_data() && kept_ind == soci::i_ok) {
      sql << "DELETE FROM password_history WHERE user_id = :id AND id < :oldest",
          soci::use(user_id), soci::use(oldest_kept);
    }
    write_password_state(sql, user_id, update.set_at, update.must_change);
    if (update.revocation.revoke && !update.revocation.keep_digest.empty()) {
      sql << "UPDATE sessions SET password_change = 0"
             " WHERE token_digest = :keep AND user_id = :id AND password_change <> 0",
          soci::use(update.revocation.keep_digest), soci::use(user_id);
    }
    return {};
  });
}

}  // namespace automation::storage
