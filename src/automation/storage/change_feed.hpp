#pragma once

// Reads the change feed: the log of UPDATEs and DELETEs of cacheable rows (sessions, users,
// roles, tokens), of new sessions and of usernames taken (migrations 4, 11 and 12), that
// database triggers write in the writing transaction, in commit order, numbered densely by a
// single counter row. One mechanism for SQLite and PostgreSQL, and one that only needs tables
// and triggers (no LISTEN/NOTIFY), so it also suits PostgreSQL-wire engines that lack
// notifications.

#include <cstdint>
#include <string>
#include <vector>

#include "automation/core/error.hpp"

namespace automation::storage {

class Database;

struct Change {
  std::int64_t seq = 0;
  std::string entity;  // "session", "user", "role", "tpt" or "username"
  std::string key;     // the session digest, user id, role id, jti or lower(username)
};

struct ChangeBatch {
  std::int64_t position = 0;    // the newest committed change
  std::vector<Change> changes;  // those after the position asked about, oldest first
  bool gap = false;  // some of them were pruned already: the reader must forget everything
};

class ChangeFeed {
 public:
  // db must outlive the feed.
  explicit ChangeFeed(Database& db) : db_(db) {}

  // The newest committed change: one single-row read.
  Result<std::int64_t> position();
  // Everything committed after `after`, read consistently with the position.
  Result<ChangeBatch> since(std::int64_t after);
  // Forgets changes up to `up_to` (readers that are further behind then see a gap).
  Status prune(std::int64_t up_to);

 private:
  Database& db_;
};

}  // namespace automation::storage
