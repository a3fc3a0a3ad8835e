#include "automation/storage/sql_session_store.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "automation/storage/database.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/store_errors.hpp"
#include "automation/storage/text.hpp"
#include "automation/storage/user_row.hpp"

namespace automation::storage {

namespace {

const std::string kSelectSession = "SELECT s.token_digest, s.user_id, s.created_at, s.expires_at, "
                                   "s.password_change, " +
                                   std::string(kUserColumns) +
                                   " FROM sessions s JOIN users u ON u.id = s.user_id"
                                   " JOIN roles r ON r.id = u.role_id"
                                   " WHERE s.token_digest = :digest";

// Ends the user's sessions beyond the newest max_per_user, the new one always kept. Two
// statements rather than DELETE ... NOT IN (SELECT ... LIMIT): MySQL refuses LIMIT there.
void end_oldest_sessions(soci::session& sql, const Session& kept, int max_per_user) {
  struct DigestRow {
    std::string digest;
    void bind(soci::statement& st) { st.exchange(soci::into(digest)); }
  };
  const long long others_kept = max_per_user - 1;
  const std::vector<std::string> ended = query_rows<DigestRow>(
      sql,
      "SELECT token_digest FROM sessions WHERE user_id = :user_id AND token_digest <> :kept"
      " ORDER BY created_at DESC, token_digest DESC LIMIT 1000000 OFFSET :others",
      [](const DigestRow& row) { return row.digest; }, kept.user_id, kept.token_digest,
      others_kept);
  for (const std::string& digest : ended) {
    sql << "DELETE FROM sessions WHERE token_digest = :digest", soci::use(digest);
  }
}

}  // namespace

Status SqlSessionStore::add_session(const Session& session) { return insert(session, 0); }

Status SqlSessionStore::add_session_within_limit(const Session& session, int max_per_user) {
  return insert(session, std::max(max_per_user, 1));
}

Status SqlSessionStore::insert(const Session& session, int max_per_user) {
  if (auto ok = check_storable("token_digest", session.token_digest); !ok) return ok;
  const std::string_view key_lock = sql_for(db_.dialect()).key_lock;
  auto added = db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    if (max_per_user > 0 && !key_lock.empty()) {
      const std::string key = "sessions-of-user:" + std::to_string(session.user_id);
      sql << key_lock, soci::use(key, "key");
    }
    const long long created_at = session.created_at;
    const long long expires_at = session.expires_at;
    const int password_change = static_cast<int>(session.password_change);
    sql << "INSERT INTO sessions (token_digest, user_id, created_at, expires_at, password_change)"
           " VALUES (:digest, :user_id, :created_at, :expires_at, :password_change)",
        soci::use(session.token_digest), soci::use(session.user_id), soci::use(created_at),
        soci::use(expires_at), soci::use(password_change);
    if (max_per_user > 0) end_oldest_sessions(sql, session, max_per_user);
    return {};
  });
  if (!added && is_unattributed_duplicate(added.error())) {
    return fail(already_exists("token_digest", "Session already exists"));
  }
  if (!added && added.error().code == ErrorCode::kNotFound) {
    return fail(ErrorCode::kNotFound, "User not found");
  }
  return added;
}

Result<std::optional<ActiveSession>> SqlSessionStore::find_session(std::string_view digest) {
  if (!is_storable_text(digest)) return std::optional<ActiveSession>();
  const std::string wanted(digest);
  // One statement in autocommit: the hot path of every key-checked request.
  return db_.with_session([&wanted](soci::session& sql) -> Result<std::optional<ActiveSession>> {
    std::string token_digest;
    long long user_id = 0, created_at = 0, expires_at = 0;
    int password_change = 0;
    UserRow row;
    soci::statement st(sql);
    st.exchange(soci::into(token_digest));
    st.exchange(soci::into(user_id));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(expires_at));
    st.exchange(soci::into(password_change));
    row.bind(st);
    st.exchange(soci::use(wanted));
    st.alloc();
    st.prepare(kSelectSession);
    st.define_and_bind();
    if (!st.execute(true)) return std::optional<ActiveSession>();
    ActiveSession active;
    active.session = Session{token_digest, user_id, created_at, expires_at,
                             static_cast<PasswordChangeDemand>(password_change)};
    active.user = row.to_user();
    return std::optional<ActiveSession>(std::move(active));
  });
}

Status SqlSessionStore::delete_session(std::string_view digest) {
  if (!is_storable_text(digest)) return {};  // no such session can exist
  const std::string wanted(digest);
  return db_.transaction(TxMode::kWrite, [&wanted](soci::session& sql) -> Status {
    sql << "DELETE FROM sessions WHERE token_digest = :digest", soci::use(wanted);
    return {};
  });
}

Status SqlSessionStore::delete_user_sessions(std::int64_t user_id) {
  return db_.transaction(TxMode::kWrite, [user_id](soci::session& sql) -> Status {
    sql << "DELETE FROM sessions WHERE user_id = :user_id", soci::use(user_id);
    return {};
  });
}

Status SqlSessionStore::delete_expired_sessions(UnixSeconds now) {
  const long long cutoff = now;
  return db_.transaction(TxMode::kWrite, [cutoff](soci::session& sql) -> Status {
    sql << "DELETE FROM sessions WHERE expires_at > 0 AND expires_at <= :now", soci::use(cutoff);
    return {};
  });
}

}  // namespace automation::storage
