#pragma once

#include "automation/core/ports.hpp"

namespace automation::storage {

class Database;

// SessionStore on the `sessions` table: only token digests are stored, never tokens.
// Lookups read the session, its user and the user's role in one statement, so a change
// made by any process is seen by the next lookup (nothing is cached here).
class SqlSessionStore final : public SessionStore {
 public:
  // db must outlive the store.
  explicit SqlSessionStore(Database& db) : db_(db) {}

  // kAlreadyExists (field "token_digest") for a digest already stored; kNotFound when
  // user_id names no user.
  Status add_session(const Session& session) override;
  Result<std::optional<ActiveSession>> find_session(std::string_view digest) override;
  // Deleting an unknown digest succeeds (logout is idempotent).
  Status delete_session(std::string_view digest) override;
  Status delete_user_sessions(std::int64_t user_id) override;
  Status delete_expired_sessions(UnixSeconds now) override;
  // Sessions not expired at `now` (for the live-sessions metric; not part of the port).
  Result<long long> count_live_sessions(UnixSeconds now);

 private:
  Database& db_;
};

}  // namespace automation::storage
