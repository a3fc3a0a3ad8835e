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

namespace {

// kSelectSession, prepared once per connection: the hot path of every cold key check.
struct SessionLookup final : PreparedQuery {
  explicit SessionLookup(soci::session& sql) : st(sql) {
    st.exchange(soci::into(token_digest));
    st.exchange(soci::into(user_id));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(expires_at));
    row.bind(st);
    st.exchange(soci::use(digest));
    st.alloc();
    st.prepare(kSelectSession);
    st.define_and_bind();
  }

  std::string digest;  // the parameter
  std::string token_digest;
  long long user_id = 0, created_at = 0, expires_at = 0;
  UserRow row;
  soci::statement st;  // last: it goes before the buffers it is bound to
};

}  // namespace

Result<std::optional<ActiveSession>> SqlSessionStore::find_session(std::string_view digest) {
  if (!is_storable_text(digest)) return std::optional<ActiveSession>();
  // One statement in autocommit: the hot path of every key-checked request.
  return db_.with_session([this, digest](soci::session& sql) -> Result<std::optional<ActiveSession>> {
    auto& lookup = db_.prepared<SessionLookup>(sql);
    lookup.digest.assign(digest);
    std::optional<ActiveSession> found;
    fetch_single(lookup.st, [&] {
      ActiveSession active;
      active.session = Session{lookup.token_digest, lookup.user_id, lookup.created_at,
                               lookup.expires_at};
      active.user = lookup.row.to_user();
      found = std::move(active);
    });
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
