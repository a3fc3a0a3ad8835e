#include "automation/storage/sql_session_store.hpp"

#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/store_errors.hpp"
#include "automation/storage/text.hpp"
#include "automation/storage/user_row.hpp"

namespace automation::storage {

namespace {

const std::string kSelectSession = "SELECT s.token_digest, s.user_id, s.created_at, s.expires_at, " +
                                   std::string(kUserColumns) +
                                   " FROM sessions s JOIN users u ON u.id = s.user_id"
                                   " JOIN roles r ON r.id = u.role_id"
                                   " WHERE s.token_digest = :digest";

}  // namespace

Status SqlSessionStore::add_session(const Session& session) {
  if (auto ok = check_storable("token_digest", session.token_digest); !ok) return ok;
  auto added = db_.transaction(TxMode::kWrite, [&session](soci::session& sql) -> Status {
    const long long created_at = session.created_at;
    const long long expires_at = session.expires_at;
    sql << "INSERT INTO sessions (token_digest, user_id, created_at, expires_at)"
           " VALUES (:digest, :user_id, :created_at, :expires_at)",
        soci::use(session.token_digest), soci::use(session.user_id), soci::use(created_at),
        soci::use(expires_at);
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
    UserRow row;
    soci::statement st(sql);
    st.exchange(soci::into(token_digest));
    st.exchange(soci::into(user_id));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(expires_at));
    row.bind(st);
    st.exchange(soci::use(wanted));
    st.alloc();
    st.prepare(kSelectSession);
    st.define_and_bind();
    if (!st.execute(true)) return std::optional<ActiveSession>();
    ActiveSession active;
    active.session = Session{token_digest, user_id, created_at, expires_at};
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
