#pragma once

// The tamper-evident audit trail (IEC 62443-4-2 CR 3.9, 21 CFR Part 11 §11.10(e)).
// Every event carries seq (1, 2, 3, ... with no gaps, assigned under the chain's lock) and
// mac = HMAC-SHA-256(key, audit_chain_message(previous mac, seq, event)). The key lives
// outside the audit table (a key file, or the settings table), so an edit, a deletion or an
// insertion in the table breaks the chain at that point for anyone holding the key.
// Pruning moves the chain's anchor (the last pruned seq and MAC) forward and is itself an
// audited event.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "automation/core/error.hpp"
#include "automation/core/ports.hpp"

namespace automation {

// The exact bytes the MAC covers: a version tag, the previous MAC, seq, the time and each
// text field length-prefixed (so no two different events share a message).
std::string audit_chain_message(std::string_view previous_mac, std::int64_t seq,
                                const AuditEvent& event);

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
  std::optional<AuditChainFinding> first_problem;  // nullopt: the chain is intact
};

// Walks the whole chain from its anchor to its head, in pages, recomputing every MAC.
Result<AuditChainReport> verify_audit_chain(AuditStore& store,
                                            const MessageAuthenticator& authenticator);

}  // namespace automation
