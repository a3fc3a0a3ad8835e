#include "automation/storage/sql_audit_store.hpp"

#include <algorithm>
#include <string>

#include "automation/core/audit_chain.hpp"
#include "automation/storage/database.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

namespace {

AuditEvent sanitized(const AuditEvent& event) {
  return AuditEvent{event.time,
                    sanitize_text(event.event),
                    sanitize_text(event.actor),
                    sanitize_text(event.target),
                    sanitize_text(event.address),
                    sanitize_text(event.outcome),
                    sanitize_text(event.reason)};
}

AuditChainState read_chain_state(soci::session& sql) {
  AuditChainState state;
  long long anchor_seq = 0, head_seq = 0, chain_start_id = 0, start_seq = 0;
  sql << "SELECT anchor_seq, anchor_mac, head_seq, head_mac, chain_start_id, start_seq"
         " FROM audit_chain WHERE id = 1",
      soci::into(anchor_seq), soci::into(state.anchor_mac), soci::into(head_seq),
      soci::into(state.head_mac), soci::into(chain_start_id), soci::into(start_seq);
  state.anchor_seq = anchor_seq;
  state.head_seq = head_seq;
  state.chain_start_id = chain_start_id;
  state.start_seq = start_seq;
  return state;
}

long long count_unsealed(soci::session& sql) {
  long long count = 0;
  sql << "SELECT COUNT(*) FROM audit_events WHERE seq IS NULL OR mac IS NULL", soci::into(count);
  return count;
}

// Whether the chain's start still needs its sealed record (see AuditStore::seal_chain_start).
bool start_unsealed(const AuditChainState& chain) {
  return chain.anchor_seq == 0 && chain.start_seq == 0;
}

// Takes the chain's lock (see the header) and reads where it stands.
AuditChainState lock_chain(soci::session& sql) {
  sql << "UPDATE audit_chain SET head_seq = head_seq WHERE id = 1";
  return read_chain_state(sql);
}

// Inserts the (already sanitized) event as the chain's next link and moves the head.
void append_sealed(soci::session& sql, const MessageAuthenticator& authenticator,
                   AuditChainState& chain, const AuditEvent& event) {
  const long long seq = chain.head_seq + 1;
  const std::string mac = authenticator.mac_hex(audit_chain_message(chain.head_mac, seq, event));
  const long long time = event.time;
  sql << "INSERT INTO audit_events (time, event, actor, target, address, outcome, reason, seq,"
         " mac) VALUES (:time, :event, :actor, :target, :address, :outcome, :reason, :seq, :mac)",
      soci::use(time), soci::use(event.event), soci::use(event.actor), soci::use(event.target),
      soci::use(event.address), soci::use(event.outcome), soci::use(event.reason),
      soci::use(seq), soci::use(mac);
  sql << "UPDATE audit_chain SET head_seq = :seq, head_mac = :mac WHERE id = 1", soci::use(seq),
      soci::use(mac);
  chain.head_seq = seq;
  chain.head_mac = mac;
}

// The columns every chained read selects, bound to one reusable row.
struct ChainedRow {
  long long id = 0, time = 0, seq = 0;
  soci::indicator seq_ind = soci::i_null, mac_ind = soci::i_null;
  std::string event, actor, target, address, outcome, reason, mac;

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(time));
    st.exchange(soci::into(event));
    st.exchange(soci::into(actor));
    st.exchange(soci::into(target));
    st.exchange(soci::into(address));
    st.exchange(soci::into(outcome));
    st.exchange(soci::into(reason));
    st.exchange(soci::into(seq, seq_ind));
    st.exchange(soci::into(mac, mac_ind));
  }
};

constexpr const char* kChainedColumns =
    "SELECT id, time, event, actor, target, address, outcome, reason, seq, mac FROM audit_events";

ChainedAuditEvent to_chained(const ChainedRow& row) {
  ChainedAuditEvent out;
  out.id = row.id;
  if (row.seq_ind == soci::i_ok) out.seq = row.seq;
  if (row.mac_ind == soci::i_ok) out.mac = row.mac;
  out.event = AuditEvent{row.time,   row.event,   row.actor, row.target,
                         row.address, row.outcome, row.reason};
  return out;
}

}  // namespace

Status SqlAuditStore::append_event(const AuditEvent& event) {
  const AuditEvent stored = sanitized(event);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    AuditChainState chain = lock_chain(sql);
    append_sealed(sql, authenticator_, chain, stored);
    return {};
  });
}

Result<std::vector<AuditEvent>> SqlAuditStore::recent_events(int limit) {
  if (limit <= 0) return std::vector<AuditEvent>();
  return db_.with_session([limit](soci::session& sql) -> Result<std::vector<AuditEvent>> {
    long long time = 0;
    AuditEvent row;
    soci::statement st =
        (sql.prepare << "SELECT time, event, actor, target, address, outcome, reason FROM audit_events"
                        " ORDER BY time DESC, id DESC LIMIT :limit",
         soci::into(time), soci::into(row.event), soci::into(row.actor), soci::into(row.target),
         soci::into(row.address), soci::into(row.outcome), soci::into(row.reason),
         soci::use(limit));
    std::vector<AuditEvent> events;
    if (st.execute(true)) {
      do {
        row.time = time;
        events.push_back(row);
      } while (st.fetch());
    }
    return events;
  });
}

Result<AuditChainState> SqlAuditStore::chain_state() {
  return db_.transaction(TxMode::kRead, [](soci::session& sql) -> Result<AuditChainState> {
    return read_chain_state(sql);
  });
}

Result<std::vector<ChainedAuditEvent>> SqlAuditStore::chained_events(std::int64_t after_seq,
                                                                     std::int64_t after_id,
                                                                     int limit) {
  return db_.with_session(
      [&](soci::session& sql) -> Result<std::vector<ChainedAuditEvent>> {
        const long long seq = after_seq, id = after_id, rows = limit;
        return query_rows<ChainedRow>(
            sql,
            std::string(kChainedColumns) +
                " WHERE seq > :s1 OR (seq = :s2 AND id > :id) ORDER BY seq, id LIMIT :n",
            to_chained, seq, seq, id, rows);
      });
}

Result<std::optional<ChainedAuditEvent>> SqlAuditStore::first_unsealed_from(std::int64_t from_id) {
  return db_.with_session(
      [&](soci::session& sql) -> Result<std::optional<ChainedAuditEvent>> {
        const long long id = from_id;
        auto rows = query_rows<ChainedRow>(
            sql,
            std::string(kChainedColumns) +
                " WHERE id >= :id AND (seq IS NULL OR mac IS NULL) ORDER BY id LIMIT 1",
            to_chained, id);
        if (rows.empty()) return std::optional<ChainedAuditEvent>();
        return std::optional<ChainedAuditEvent>(std::move(rows.front()));
      });
}

Result<std::int64_t> SqlAuditStore::unsealed_event_count() {
  return db_.with_session(
      [](soci::session& sql) -> Result<std::int64_t> { return count_unsealed(sql); });
}

Status SqlAuditStore::seal_chain_start(UnixSeconds now) {
  // Read first: on every start but the first after an upgrade there is nothing to write, and
  // the chain's lock is a write.
  auto needed = db_.transaction(TxMode::kRead, [](soci::session& sql) -> Result<bool> {
    return start_unsealed(read_chain_state(sql));
  });
  if (!needed) return fail(needed.error());
  if (!*needed) return {};
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    AuditChainState chain = lock_chain(sql);
    if (!start_unsealed(chain)) return {};  // another process did it meanwhile
    const AuditChainStart start{chain.chain_start_id, count_unsealed(sql)};
    append_sealed(sql, authenticator_, chain, sanitized(chain_start_record(now, start)));
    const long long seq = chain.head_seq;
    sql << "UPDATE audit_chain SET start_seq = :seq WHERE id = 1", soci::use(seq);
    return {};
  });
}

Result<std::int64_t> SqlAuditStore::event_count() {
  return db_.with_session([](soci::session& sql) -> Result<std::int64_t> {
    long long count = 0;
    sql << "SELECT COUNT(*) FROM audit_events", soci::into(count);
    return count;
  });
}

Result<AuditPruning> SqlAuditStore::prune_events(std::optional<UnixSeconds> older_than,
                                                 std::optional<std::int64_t> keep_at_most,
                                                 const AuditEvent& record) {
  const AuditEvent stored = sanitized(record);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<AuditPruning> {
    AuditChainState chain = lock_chain(sql);
    // The newest id to delete: events are pruned oldest first, in insertion order, so the
    // chain keeps a contiguous tail and unsealed rows from before chaining go first.
    long long cut_id = 0;
    soci::indicator ind = soci::i_null;
    if (older_than) {
      const long long cutoff = *older_than;
      long long by_age = 0;
      sql << "SELECT MAX(id) FROM audit_events WHERE time < :cutoff", soci::use(cutoff),
          soci::into(by_age, ind);
      if (ind == soci::i_ok) cut_id = by_age;
    }
    if (keep_at_most) {
      // Room for the record of this pruning itself.
      const long long keep = std::max<long long>(*keep_at_most - 1, 0);
      long long by_count = 0;
      ind = soci::i_null;
      sql << "SELECT id FROM audit_events ORDER BY id DESC LIMIT 1 OFFSET :keep",
          soci::use(keep), soci::into(by_count, ind);
      if (sql.got_data() && ind == soci::i_ok) cut_id = std::max(cut_id, by_count);
    }
    if (cut_id == 0) return AuditPruning{};

    AuditPruning pruning;
    long long removed = 0, last_seq = 0;
    std::string last_mac;
    sql << "SELECT COUNT(*) FROM audit_events WHERE id <= :cut", soci::use(cut_id),
        soci::into(removed);
    ind = soci::i_null;
    soci::indicator mac_ind = soci::i_null;
    sql << "SELECT seq, mac FROM audit_events WHERE id <= :cut AND seq IS NOT NULL"
           " ORDER BY seq DESC LIMIT 1",
        soci::use(cut_id), soci::into(last_seq, ind), soci::into(last_mac, mac_ind);
    if (sql.got_data() && ind == soci::i_ok && mac_ind == soci::i_ok) {
      sql << "UPDATE audit_chain SET anchor_seq = :seq, anchor_mac = :mac WHERE id = 1",
          soci::use(last_seq), soci::use(last_mac);
      chain.anchor_seq = last_seq;
      chain.anchor_mac = last_mac;
      pruning.through_seq = last_seq;
    }
    sql << "DELETE FROM audit_events WHERE id <= :cut", soci::use(cut_id);
    pruning.removed = removed;

    // Sealed with the anchor it moved to: what verification checks the anchor against.
    AuditEvent described = stored;
    described.target = pruning_target(removed, pruning.through_seq);
    append_sealed(sql, authenticator_, chain, described);
    return pruning;
  });
}

}  // namespace automation::storage
