#pragma once

#include "automation/core/ports.hpp"

namespace automation::storage {

class Database;

// AuditStore on the `audit_events` table. Text fields are sanitized (NUL and invalid
// UTF-8 become U+FFFD) rather than refused: a security event is recorded whatever a
// client sent.
class SqlAuditStore final : public AuditStore {
 public:
  // db must outlive the store.
  explicit SqlAuditStore(Database& db) : db_(db) {}

  Status append_event(const AuditEvent& event) override;
  // Newest first (by time, then insertion order); at most `limit` events, none when
  // limit <= 0.
  Result<std::vector<AuditEvent>> recent_events(int limit) override;

 private:
  Database& db_;
};

}  // namespace automation::storage
