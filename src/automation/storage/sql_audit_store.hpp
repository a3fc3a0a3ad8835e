#pragma once

#include "automation/core/ports.hpp"

namespace automation::storage {

class Database;

// AuditStore on the `audit_events` table, sealed into the chain kept in `audit_chain`
// (core/audit_chain.hpp). Text fields are sanitized (NUL and invalid UTF-8 become U+FFFD)
// rather than refused: a security event is recorded whatever a client sent; the MAC covers
// the text as stored.
//
// Appends serialize on the chain row: the first statement of the transaction updates it,
// which takes its row lock on PostgreSQL (and the write lock on SQLite) until commit, so
// sequence numbers have no gaps and each MAC chains to the one committed before it, across
// processes.
class SqlAuditStore final : public AuditStore {
 public:
  // db and authenticator must outlive the store.
  SqlAuditStore(Database& db, const MessageAuthenticator& authenticator)
      : db_(db), authenticator_(authenticator) {}

  Status append_event(const AuditEvent& event) override;
  // Newest first (by time, then insertion order); at most `filter.limit` events, none when
  // it is <= 0.
  Result<std::vector<AuditEvent>> recent_events(const AuditEventFilter& filter) override;
  Result<AuditChainState> chain_state() override;
  Result<std::vector<ChainedAuditEvent>> chained_events(std::int64_t after_seq,
                                                        std::int64_t after_id,
                                                        int limit) override;
  Result<std::optional<ChainedAuditEvent>> first_unsealed_from(std::int64_t from_id) override;
  Result<std::int64_t> unsealed_event_count() override;
  Status seal_chain_start(UnixSeconds now) override;
  Result<std::int64_t> event_count() override;
  Result<std::int64_t> count_events_since(std::string_view event, std::string_view outcome,
                                          UnixSeconds since) override;
  Result<AuditPruning> prune_events(std::optional<UnixSeconds> older_than,
                                    std::optional<std::int64_t> keep_at_most,
                                    const AuditEvent& record) override;

 private:
  Database& db_;
  const MessageAuthenticator& authenticator_;
};

}  // namespace automation::storage
