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
         " mac, prev_mac) VALUES (:time, :event, :actor, :target, :address, :outcome, :reason,"
         " :seq, :mac, :prev_mac)",
      soci::use(time), soci::use(event.event), soci::use(event.actor), soci::use(event.target),
      soci::use(event.address), soci::use(event.outcome), soci::use(event.reason),
      soci::use(seq), soci::use(mac), soci::use(chain.head_mac);
  sql << "UPDATE audit_chain SET head_seq = :seq, head_mac = :mac WHERE id = 1", soci::use(seq),
      soci::use(mac);
  chain.head_seq = seq;
  chain.head_mac = mac;
}

// The columns every chained read selects, bound to one reusable row.
struct ChainedRow {
  long long id = 0, time = 0, seq = 0;
  soci::indicator seq_ind = soci::i_null, mac_ind = soci::i_null, prev_ind = soci::i_null;
  std::string event, actor, target, address, outcome, reason, mac, prev_mac;

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
    st.exchange(soci::into(prev_mac, prev_ind));
  }
};

constexpr const char* kChainedColumns =
    "SELECT id, time, event, actor, target, address, outcome, reason, seq, mac, prev_mac"
    " FROM audit_events";

// Which rows count as refusals for count-based retention: anything but a success, and the
// rows from before the chain.
constexpr const char* kRefusal = "(seq IS NULL OR outcome <> 'success')";
// Sequence numbers read per round trip while listing the refusals a pruning removes.
constexpr std::size_t kRangeBatch = 1000;

ChainedAuditEvent to_chained(const ChainedRow& row) {
  ChainedAuditEvent out;
  out.id = row.id;
  if (row.seq_ind == soci::i_ok) out.seq = row.seq;
  if (row.mac_ind == soci::i_ok) out.mac = row.mac;
  if (row.prev_ind == soci::i_ok) out.prev_mac = row.prev_mac;
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

Result<std::vector<AuditEvent>> SqlAuditStore::recent_events(const AuditEventFilter& filter) {
  if (filter.limit <= 0) return std::vector<AuditEvent>();
  const int limit = filter.limit;
  const long long since = filter.since.value_or(std::numeric_limits<long long>::min());
  const long long until = filter.until.value_or(std::numeric_limits<long long>::max());
  // Each text filter is bound with a flag saying whether it applies (an integer, which every
  // engine types alike, where comparing an untyped parameter with '' would not be).
  const std::string event = sanitize_text(filter.event), actor = sanitize_text(filter.actor),
                    target = sanitize_text(filter.target), outcome = sanitize_text(filter.outcome);
  const int any_event = event.empty(), any_actor = actor.empty(), any_target = target.empty(),
            any_outcome = outcome.empty();
  // With an event the rows come from audit_events_event_time, newest first within that event
  // (migration 18); without one, from audit_events_time, reading back through the period
  // (since/until narrow it) until `limit` rows matched. The event's condition is written
  // as a plain equality when it applies: behind "flag OR equality" no planner uses an index.
  // Both texts take the same parameters in the same order.
  const std::string event_condition = any_event ? " AND (:any_event = 1 OR event = :event)"
                                                : " AND :any_event = 0 AND event = :event";
  return db_.with_session([&](soci::session& sql) -> Result<std::vector<AuditEvent>> {
    long long time = 0;
    AuditEvent row;
    soci::statement st =
        (sql.prepare << "SELECT time, event, actor, target, address, outcome, reason FROM audit_events"
                        " WHERE time >= :since AND time <= :until" +
                            event_condition +
                            " AND (:any_actor = 1 OR actor = :actor)"
                            " AND (:any_target = 1 OR target = :target)"
                            " AND (:any_outcome = 1 OR outcome = :outcome)"
                            " ORDER BY time DESC, id DESC LIMIT :limit",
         soci::into(time), soci::into(row.event), soci::into(row.actor), soci::into(row.target),
         soci::into(row.address), soci::into(row.outcome), soci::into(row.reason),
         soci::use(since), soci::use(until), soci::use(any_event), soci::use(event),
         soci::use(any_actor), soci::use(actor), soci::use(any_target), soci::use(target),
         soci::use(any_outcome), soci::use(outcome), soci::use(limit));
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

Result<std::int64_t> SqlAuditStore::count_events_since(std::string_view event,
                                                      std::string_view outcome,
                                                      UnixSeconds since) {
  const std::string stored_event = sanitize_text(event);
  const std::string stored_outcome = sanitize_text(outcome);
  const long long from = since;
  return db_.with_session([&](soci::session& sql) -> Result<std::int64_t> {
    long long count = 0;
    // audit_events_event_time (or audit_events_time) narrows the rows; the rest is a filter.
    sql << "SELECT COUNT(*) FROM audit_events WHERE time >= :since AND event = :event"
           " AND outcome = :outcome",
        soci::use(from), soci::use(stored_event), soci::use(stored_outcome), soci::into(count);
    return count;
  });
}

Result<AuditPruning> SqlAuditStore::prune_events(std::optional<UnixSeconds> older_than,
                                                 std::optional<std::int64_t> keep_at_most,
                                                 const AuditEvent& record) {
  const AuditEvent stored = sanitized(record);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<AuditPruning> {
    AuditChainState chain = lock_chain(sql);
    // What goes: every row up to `prefix_id` (by age, and the oldest changes when the count
    // needs them), and the refusals up to `refusal_id` (rows from before the chain count as
    // refusals: they are the oldest, and must go before anything chained does).
    long long prefix_id = 0, refusal_id = 0;
    soci::indicator ind = soci::i_null;
    if (older_than) {
      const long long cutoff = *older_than;
      long long by_age = 0;
      sql << "SELECT MAX(id) FROM audit_events WHERE time < :cutoff", soci::use(cutoff),
          soci::into(by_age, ind);
      if (ind == soci::i_ok) prefix_id = by_age;
    }
    AuditPruning pruning;
    if (keep_at_most) {
      // Room for the record of this pruning itself.
      const long long keep = std::max<long long>(*keep_at_most - 1, 0);
      long long remaining = 0, refusals = 0;
      sql << "SELECT COUNT(*) FROM audit_events WHERE id > :cut", soci::use(prefix_id),
          soci::into(remaining);
      sql << std::string("SELECT COUNT(*) FROM audit_events WHERE id > :cut AND ") + kRefusal,
          soci::use(prefix_id), soci::into(refusals);
      const long long excess = remaining - keep;
      if (excess > 0) {
        const long long from_refusals = std::min(excess, refusals);
        if (from_refusals > 0) {
          const long long offset = from_refusals - 1;
          sql << std::string("SELECT id FROM audit_events WHERE id > :cut AND ") + kRefusal +
                     " ORDER BY id LIMIT 1 OFFSET :offset",
              soci::use(prefix_id), soci::use(offset), soci::into(refusal_id);
        }
        const long long from_changes = excess - from_refusals;
        if (from_changes > 0) {
          const long long offset = from_changes - 1;
          long long change_id = 0;
          sql << std::string("SELECT id FROM audit_events WHERE id > :cut AND NOT ") + kRefusal +
                     " ORDER BY id LIMIT 1 OFFSET :offset",
              soci::use(prefix_id), soci::use(offset), soci::into(change_id);
          prefix_id = std::max(prefix_id, change_id);
        }
      }
    }
    if (prefix_id == 0 && refusal_id == 0) return AuditPruning{};
    const std::string doomed = "(id <= :prefix OR (id <= :refusal AND " + std::string(kRefusal) +
                               "))";

    // The oldest sealed row that stays: the anchor moves to just before it.
    long long first_kept = 0;
    ind = soci::i_null;
    sql << "SELECT MIN(seq) FROM audit_events WHERE seq IS NOT NULL AND NOT " + doomed,
        soci::use(prefix_id), soci::use(refusal_id), soci::into(first_kept, ind);
    const bool any_kept = sql.got_data() && ind == soci::i_ok;
    // Sealed refusals removed after it: listed in the record, one range per run.
    if (any_kept) {
      std::vector<long long> seqs(kRangeBatch);
      long long after = first_kept;
      for (;;) {
        seqs.resize(kRangeBatch);
        sql << "SELECT seq FROM audit_events WHERE seq > :after AND " + doomed +
                   " ORDER BY seq LIMIT " + std::to_string(kRangeBatch),
            soci::use(after), soci::use(prefix_id), soci::use(refusal_id), soci::into(seqs);
        for (const long long seq : seqs) {
          auto& ranges = pruning.removed_seqs;
          if (!ranges.empty() && ranges.back().second + 1 == seq) {
            ranges.back().second = seq;
          } else {
            ranges.emplace_back(seq, seq);
          }
        }
        if (seqs.size() < kRangeBatch) break;
        after = seqs.back();
      }
    }
    long long removed = 0;
    sql << "SELECT COUNT(*) FROM audit_events WHERE " + doomed, soci::use(prefix_id),
        soci::use(refusal_id), soci::into(removed);
    sql << "DELETE FROM audit_events WHERE " + doomed, soci::use(prefix_id),
        soci::use(refusal_id);
    pruning.removed = removed;

    const long long new_anchor = any_kept ? first_kept - 1 : chain.head_seq;
    if (new_anchor > chain.anchor_seq) {
      std::string anchor_mac = chain.head_mac;
      if (any_kept) {
        soci::indicator mac_ind = soci::i_null;
        sql << "SELECT prev_mac FROM audit_events WHERE seq = :seq ORDER BY id LIMIT 1",
            soci::use(first_kept), soci::into(anchor_mac, mac_ind);
        if (mac_ind != soci::i_ok) anchor_mac.clear();
      }
      sql << "UPDATE audit_chain SET anchor_seq = :seq, anchor_mac = :mac WHERE id = 1",
          soci::use(new_anchor), soci::use(anchor_mac);
      chain.anchor_seq = new_anchor;
      chain.anchor_mac = anchor_mac;
      pruning.through_seq = new_anchor;
    }

    // Sealed with the anchor it moved to and the refusals it removed after it: what
    // verification checks the anchor and the gaps against.
    AuditEvent described = stored;
    described.target = pruning_target(removed, pruning.through_seq, pruning.removed_seqs);
    append_sealed(sql, authenticator_, chain, described);
    return pruning;
  });
}

}  // namespace automation::storage
