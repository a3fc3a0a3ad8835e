#pragma once

#include <span>
#include <string>
#include <vector>

#include "automation/core/ports.hpp"

namespace automation::storage {

class Database;

// One session's last use, for SqlSessionStore::record_session_uses.
struct SessionUse {
  std::string digest;
  UnixSeconds at = 0;
};

// SessionStore on the `sessions` table: only token digests are stored, never tokens.
// Lookups read the session, its user and the user's role in one statement, so a change
// made by any process is seen by the next lookup (nothing is cached here).
class SqlSessionStore final : public SessionStore {
 public:
  // db must outlive the store.
  explicit SqlSessionStore(Database& db) : db_(db) {}

  // kAlreadyExists (field "token_digest") for a digest or id already stored; kNotFound when
  // user_id names no user.
  Status add_session(const Session& session) override;
  // Serialized per user across processes (the dialect's key lock; SQLite's write lock), so
  // racing logins never leave more than max_per_user sessions.
  Status add_session_within_limit(const Session& session, int max_per_user) override;
  Result<std::optional<ActiveSession>> find_session(std::string_view digest) override;
  // Nothing is cached here: the same as find_session.
  Result<std::optional<ActiveSession>> reread_session(std::string_view digest) override {
    return find_session(digest);
  }
  // The sessions with these digests that exist, in one read transaction (the lookup cache's
  // prefetch of new sessions; not part of the port).
  Result<std::vector<ActiveSession>> find_sessions(const std::vector<std::string>& digests);
  // Up to `limit` sessions, newest first, with their users and roles (the lookup cache's load
  // at start; not part of the port).
  Result<std::vector<ActiveSession>> newest_sessions(std::size_t limit);
  // Deleting an unknown digest succeeds (logout is idempotent).
  Status delete_session(std::string_view digest) override;
  Result<std::vector<Session>> list_user_sessions(std::int64_t user_id,
                                                  UnixSeconds now) override;
  Result<std::optional<Session>> find_session_by_id(std::string_view session_id) override;
  Status delete_user_sessions(std::int64_t user_id) override;
  Status delete_expired_sessions(UnixSeconds now) override;
  Status record_session_use(std::string_view digest, UnixSeconds now) override;
  // Many at once, in one transaction (SessionUseBuffer::flush); each only moves forward.
  Status record_session_uses(std::span<const SessionUse> uses);
  // Sessions not expired at `now` (for the live-sessions metric; not part of the port).
  Result<long long> count_live_sessions(UnixSeconds now);

 private:
  // max_per_user 0: no limit.
  Status insert(const Session& session, int max_per_user);

  Database& db_;
};

}  // namespace automation::storage
