#pragma once

// The tamper-evident audit trail (IEC 62443-4-2 CR 3.9, 21 CFR Part 11 §11.10(e)).
// Every event carries seq (1, 2, 3, ... with no gaps, assigned under the chain's lock) and
// mac = HMAC-SHA-256(key, audit_chain_message(previous mac, seq, event)). The key lives
// outside the audit table (a key file, or the settings table), so an edit, a deletion or an
// insertion in the table breaks the chain at that point for anyone holding the key.
// Pruning moves the chain's anchor (the last pruned seq and MAC) forward and is itself an
// audited event. Count-based retention removes refusals before changes, so it may remove
// events after the anchor too: each event keeps the MAC it chains to (prev_mac), which links
// across such a gap (the event's own MAC proves it), and the sealed record of the pruning
// lists the sequence numbers it removed; a gap no such record lists is a deletion.
//
// The `audit_chain` row (anchor, head, where sealing began) is writable by whoever writes
// the table, so verification trusts no part of it that the key does not also cover:
// - the anchor: every pruning appends a sealed record saying through which seq it pruned
//   (pruning_target); the newest such record in the chain must name the anchor, and with
//   none the anchor must be 0. The anchor's MAC is then pinned by the MAC of the event after
//   it, which chains to it.
// - rows without a seal: once anything chained was pruned none may remain (pruning goes
//   oldest first, so the rows from before the chain went first). Before that, the rows that
//   predate the chain are counted once, in a sealed record of the chain's start
//   (chain_start_record, written at the first start by AuditStore::seal_chain_start; the
//   earliest one in the chain counts), and an unsealed row at or after that start, or more
//   of them than it counted, is an insertion. Without such a record, none may exist.
// What the key cannot show: the newest events cut off with the head moved back to match, or
// the whole trail wiped with the chain row reset. Only a copy of the head kept elsewhere (the
// verify command prints it) or a forwarded log shows those.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/core/ports.hpp"

namespace automation {

// The exact bytes the MAC covers: a version tag, the previous MAC, seq, the time and each
// text field length-prefixed (so no two different events share a message).
std::string audit_chain_message(std::string_view previous_mac, std::int64_t seq,
                                const AuditEvent& event);

// The sealed records verification reads. Event names are the code's own: no client can make
// the service write an event of these names, and no one without the key can seal one.
inline constexpr std::string_view kAuditPrunedEvent = "audit_pruned";
inline constexpr std::string_view kAuditChainStartedEvent = "audit_chain_started";

// Inclusive ranges of sequence numbers.
using SeqRanges = std::vector<std::pair<std::int64_t, std::int64_t>>;

// The target of a pruning's record: "<removed> events", plus " through seq <n>" when the
// anchor moved to n, plus "; refusals at seq <a>..<b>, <c>..<d>" for the refusals removed
// after the anchor (retention removes refusals before changes).
std::string pruning_target(std::int64_t removed, std::int64_t through_seq,
                           const SeqRanges& removed_after_anchor = {});
// The anchor a sealed record of a pruning states (n above); nullopt for any other event, and
// for a pruning that did not move the anchor.
std::optional<std::int64_t> pruned_through(const AuditEvent& event);
// The refusals a sealed record of a pruning says it removed after the anchor (empty for any
// other event).
SeqRanges pruned_refusals(const AuditEvent& event);

// Where sealing began: rows with a lower id predate the chain, and how many of them there
// were when that was recorded.
struct AuditChainStart {
  std::int64_t start_id = 0;
  std::int64_t unsealed_events = 0;
};
// The record of the chain's start: event kAuditChainStartedEvent, actor "system", target
// "row id <start_id>", reason "<unsealed_events> earlier events carry no seal".
AuditEvent chain_start_record(UnixSeconds time, const AuditChainStart& start);
std::optional<AuditChainStart> parse_chain_start(const AuditEvent& event);

// What verification found first.
struct AuditChainFinding {
  enum class Kind {
    kChanged,    // the row's MAC does not match its contents and place in the chain
    kRemoved,    // a sequence number is missing (rows deleted)
    kInserted,   // a row the service never sealed, or a duplicated sequence number
    kTruncated,  // the newest events are gone: the chain ends before its recorded head
  };
  Kind kind = Kind::kChanged;
  std::int64_t id = 0;   // the row where it shows (0 for kTruncated)
  std::int64_t seq = 0;  // the sequence number expected there
  std::string detail;    // one line for people
};

const char* to_string(AuditChainFinding::Kind kind) noexcept;

struct AuditChainReport {
  std::int64_t events_checked = 0;
  std::int64_t first_seq = 0;  // the chain's anchor + 1
  std::int64_t last_seq = 0;   // the recorded head
  std::string last_mac;        // and its MAC: kept elsewhere, it shows a later cut-off
  std::optional<AuditChainFinding> first_problem;  // nullopt: the chain is intact
};

// Walks the whole chain from its anchor to its head, in pages, recomputing every MAC.
Result<AuditChainReport> verify_audit_chain(AuditStore& store,
                                            const MessageAuthenticator& authenticator);

}  // namespace automation
