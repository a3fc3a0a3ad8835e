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

constexpr std::string_view kSessionColumns =
    "s.token_digest, s.user_id, s.created_at, s.expires_at, s.session_id, s.password_change,"
    " s.last_used_at, s.client_address, s.mfa_verified";

const std::string kSelectSession = std::string("SELECT ") + std::string(kSessionColumns) + ", " +
                                   std::string(kUserColumns) +
                                   " FROM sessions s JOIN users u ON u.id = s.user_id"
                                   " JOIN roles r ON r.id = u.role_id"
                                   " WHERE s.token_digest = :digest";
const std::string kSelectNewestSessions =
    std::string("SELECT ") + std::string(kSessionColumns) + ", " + std::string(kUserColumns) +
    " FROM sessions s JOIN users u ON u.id = s.user_id JOIN roles r ON r.id = u.role_id"
    " ORDER BY s.created_at DESC LIMIT :wanted";

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

const std::string kListUserSessions =
    std::string("SELECT ") + std::string(kSessionColumns) +
    " FROM sessions s WHERE s.user_id = :user_id AND (s.expires_at = 0 OR s.expires_at > :now)"
    " ORDER BY s.created_at, s.session_id";

const std::string kSelectSessionById = std::string("SELECT ") + std::string(kSessionColumns) +
                                       " FROM sessions s WHERE s.session_id = :session_id";

// Receiving buffers for one row of kSessionColumns; a NULL session_id (a row written by
// an older version after the migration ran) reads as "".
class SessionRow {
 public:
  void bind(soci::statement& st) {
    st.exchange(soci::into(token_digest_));
    st.exchange(soci::into(user_id_));
    st.exchange(soci::into(created_at_));
    st.exchange(soci::into(expires_at_));
    st.exchange(soci::into(id_, id_indicator_));
    st.exchange(soci::into(password_change_));
    st.exchange(soci::into(last_used_at_));
    st.exchange(soci::into(address_, address_indicator_));
    st.exchange(soci::into(mfa_verified_));
  }
  Session to_session() const {
    return Session{token_digest_,
                   user_id_,
                   created_at_,
                   expires_at_,
                   id_indicator_ == soci::i_ok ? id_ : std::string(),
                   static_cast<PasswordChangeDemand>(password_change_),
                   last_used_at_,
                   address_indicator_ == soci::i_ok ? address_ : std::string(),
                   mfa_verified_ != 0};
  }

 private:
  std::string token_digest_;
  long long user_id_ = 0, created_at_ = 0, expires_at_ = 0;
  std::string id_;
  soci::indicator id_indicator_ = soci::i_null;
  int password_change_ = 0;
  long long last_used_at_ = 0;
  std::string address_;
  soci::indicator address_indicator_ = soci::i_null;
  int mfa_verified_ = 0;
};

// Receiving buffers for one row of kSessionColumns then kUserColumns: a session with its user
// and role.
class ActiveSessionRow {
 public:
  void bind(soci::statement& st) {
    session_.bind(st);
    user_.bind(st);
  }
  ActiveSession to_active_session() const {
    return ActiveSession{session_.to_session(), user_.to_user()};
  }

 private:
  SessionRow session_;
  UserRow user_;
};

}  // namespace

Status SqlSessionStore::add_session(const Session& session) { return insert(session, 0); }

Status SqlSessionStore::add_session_within_limit(const Session& session, int max_per_user) {
  return insert(session, std::max(max_per_user, 1));
}

Status SqlSessionStore::insert(const Session& session, int max_per_user) {
  if (auto ok = check_storable("token_digest", session.token_digest); !ok) return ok;
  if (auto ok = check_storable("id", session.id); !ok) return ok;
  // An address is at most 45 characters (IPv6 with an IPv4 tail); anything longer is not one
  // and is not kept (the column holds 64).
  const std::string address = session.client_address.size() <= 64 &&
                                      is_storable_text(session.client_address)
                                  ? session.client_address
                                  : std::string();
  const std::string_view key_lock = sql_for(db_.dialect()).key_lock;
  auto added = db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    if (max_per_user > 0 && !key_lock.empty()) {
      const std::string key = "sessions-of-user:" + std::to_string(session.user_id);
      sql << key_lock, soci::use(key, "key");
    }
    const long long created_at = session.created_at;
    const long long expires_at = session.expires_at;
    // No id: NULL, which the unique index lets any number of rows share.
    soci::indicator id_indicator = session.id.empty() ? soci::i_null : soci::i_ok;
    soci::indicator address_indicator = address.empty() ? soci::i_null : soci::i_ok;
    const int password_change = static_cast<int>(session.password_change);
    const long long last_used_at = session.last_used_at;
    const int mfa_verified = session.mfa_verified ? 1 : 0;
    sql << "INSERT INTO sessions (token_digest, user_id, created_at, expires_at, session_id,"
           " password_change, last_used_at, client_address, mfa_verified)"
           " VALUES (:digest, :user_id, :created_at, :expires_at, :session_id, :password_change,"
           " :last_used_at, :client_address, :mfa_verified)",
        soci::use(session.token_digest), soci::use(session.user_id), soci::use(created_at),
        soci::use(expires_at), soci::use(session.id, id_indicator), soci::use(password_change),
        soci::use(last_used_at), soci::use(address, address_indicator), soci::use(mfa_verified);
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

namespace {

// kSelectSession, prepared once per connection: the hot path of every cold key check.
struct SessionLookup final : PreparedQuery {
  explicit SessionLookup(soci::session& sql) : st(sql) {
    row.bind(st);
    st.exchange(soci::use(digest));
    st.alloc();
    st.prepare(kSelectSession);
    st.define_and_bind();
  }

  // The session with this digest, with its user and role.
  std::optional<ActiveSession> run(std::string_view wanted);

  std::string digest;  // the parameter
  ActiveSessionRow row;
  soci::statement st;  // last: it goes before the buffers it is bound to
};

std::optional<ActiveSession> SessionLookup::run(std::string_view wanted) {
  digest.assign(wanted);
  std::optional<ActiveSession> found;
  fetch_single(st, [&] { found = row.to_active_session(); });
  return found;
}

}  // namespace

Result<std::optional<ActiveSession>> SqlSessionStore::find_session(std::string_view digest) {
  if (!is_storable_text(digest)) return std::optional<ActiveSession>();
  // One statement in autocommit: the hot path of every key-checked request.
  return db_.with_session([this, digest](soci::session& sql) -> Result<std::optional<ActiveSession>> {
    return db_.prepared<SessionLookup>(sql).run(digest);
  });
}

Result<std::vector<ActiveSession>> SqlSessionStore::newest_sessions(std::size_t limit) {
  return db_.transaction(TxMode::kRead, [&](soci::session& sql) -> Result<std::vector<ActiveSession>> {
    const long long wanted = static_cast<long long>(std::min<std::size_t>(limit, 1u << 30));
    return query_rows<ActiveSessionRow>(
        sql, kSelectNewestSessions,
        [](const ActiveSessionRow& row) { return row.to_active_session(); }, wanted);
  });
}

Result<std::vector<ActiveSession>> SqlSessionStore::find_sessions(
    const std::vector<std::string>& digests) {
  return db_.transaction(TxMode::kRead, [&](soci::session& sql) -> Result<std::vector<ActiveSession>> {
    auto& lookup = db_.prepared<SessionLookup>(sql);
    std::vector<ActiveSession> found;
    for (const std::string& digest : digests) {
      if (!is_storable_text(digest)) continue;
      if (auto active = lookup.run(digest)) found.push_back(std::move(*active));
    }
    return found;
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

Result<std::vector<Session>> SqlSessionStore::list_user_sessions(std::int64_t user_id,
                                                                 UnixSeconds now) {
  const long long wanted_user = user_id;
  const long long cutoff = now;
  return db_.transaction(TxMode::kRead, [&](soci::session& sql) -> Result<std::vector<Session>> {
    return query_rows<SessionRow>(
        sql, kListUserSessions, [](SessionRow& row) { return row.to_session(); }, wanted_user,
        cutoff);
  });
}

Result<std::optional<Session>> SqlSessionStore::find_session_by_id(std::string_view session_id) {
  if (session_id.empty() || !is_storable_text(session_id)) return std::optional<Session>();
  const std::string wanted(session_id);
  return db_.transaction(TxMode::kRead, [&wanted](soci::session& sql) -> Result<std::optional<Session>> {
    auto rows = query_rows<SessionRow>(
        sql, kSelectSessionById, [](SessionRow& row) { return row.to_session(); }, wanted);
    if (rows.empty()) return std::optional<Session>();
    return std::optional<Session>(std::move(rows.front()));
  });
}

Status SqlSessionStore::delete_user_sessions(std::int64_t user_id) {
  return db_.transaction(TxMode::kWrite, [user_id](soci::session& sql) -> Status {
    sql << "DELETE FROM sessions WHERE user_id = :user_id", soci::use(user_id);
    return {};
  });
}

Status SqlSessionStore::record_session_use(std::string_view digest, UnixSeconds now) {
  const SessionUse use{std::string(digest), now};
  return record_session_uses(std::span<const SessionUse>(&use, 1));
}

Status SqlSessionStore::record_session_uses(std::span<const SessionUse> uses) {
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    std::string digest;
    long long at = 0;
    soci::statement update =
        (sql.prepare << "UPDATE sessions SET last_used_at = :at WHERE token_digest = :digest"
                        " AND last_used_at < :at2",
         soci::use(at), soci::use(digest), soci::use(at));
    for (const SessionUse& use : uses) {
      if (!is_storable_text(use.digest)) continue;  // no such session can exist
      digest = use.digest;
      at = use.at;
      update.execute(true);
    }
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

Result<long long> SqlSessionStore::count_live_sessions(UnixSeconds now) {
  const long long cutoff = now;
  return db_.with_session([cutoff](soci::session& sql) -> Result<long long> {
    long long count = 0;
    sql << "SELECT COUNT(*) FROM sessions WHERE expires_at = 0 OR expires_at > :now",
        soci::into(count), soci::use(cutoff);
    return count;
  });
}

}  // namespace automation::storage
