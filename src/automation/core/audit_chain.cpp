#include "automation/core/audit_chain.hpp"

#include <vector>

#include "automation/core/text.hpp"

namespace automation {

namespace {

constexpr int kPageSize = 1000;

}  // namespace

std::string audit_chain_message(std::string_view previous_mac, std::int64_t seq,
                                const AuditEvent& event) {
  std::string message = "automation-audit-v1\n";
  append_length_prefixed(message, previous_mac);
  append_length_prefixed(message, std::to_string(seq));
  append_length_prefixed(message, std::to_string(event.time));
  for (std::string_view field :
       {std::string_view(event.event), std::string_view(event.actor),
        std::string_view(event.target), std::string_view(event.address),
        std::string_view(event.outcome), std::string_view(event.reason)}) {
    append_length_prefixed(message, field);
  }
  return message;
}

const char* to_string(AuditChainFinding::Kind kind) noexcept {
  switch (kind) {
    case AuditChainFinding::Kind::kChanged: return "changed";
    case AuditChainFinding::Kind::kRemoved: return "removed";
    case AuditChainFinding::Kind::kInserted: return "inserted";
    case AuditChainFinding::Kind::kTruncated: return "truncated";
  }
  return "changed";
}

Result<AuditChainReport> verify_audit_chain(AuditStore& store,
                                            const MessageAuthenticator& authenticator) {
  auto state = store.chain_state();
  if (!state) return fail(state.error());
  AuditChainReport report;
  report.first_seq = state->anchor_seq + 1;
  report.last_seq = state->head_seq;

  // A row without a seal after the chain began was not written by the service.
  auto unsealed = store.first_unsealed_from(state->chain_start_id);
  if (!unsealed) return fail(unsealed.error());
  if (*unsealed) {
    report.first_problem = AuditChainFinding{
        AuditChainFinding::Kind::kInserted, (*unsealed)->id, 0,
        "row id " + std::to_string((*unsealed)->id) + " carries no seal: inserted"};
    return report;
  }

  std::int64_t expected = state->anchor_seq + 1;
  std::string previous = state->anchor_mac;
  std::int64_t after_seq = state->anchor_seq;
  std::int64_t after_id = 0;
  for (;;) {
    auto page = store.chained_events(after_seq, after_id, kPageSize);
    if (!page) return fail(page.error());
    for (const ChainedAuditEvent& row : *page) {
      const std::int64_t seq = *row.seq;
      const std::string where = "row id " + std::to_string(row.id) + " (seq " +
                                std::to_string(seq) + ")";
      if (seq < expected) {
        report.first_problem = AuditChainFinding{AuditChainFinding::Kind::kInserted, row.id,
                                                 expected, where + ": duplicate sequence number"};
        return report;
      }
      if (seq > expected) {
        report.first_problem = AuditChainFinding{
            AuditChainFinding::Kind::kRemoved, row.id, expected,
            "events " + std::to_string(expected) + ".." + std::to_string(seq - 1) +
                " are missing before " + where};
        return report;
      }
      if (authenticator.mac_hex(audit_chain_message(previous, seq, row.event)) != row.mac) {
        report.first_problem = AuditChainFinding{
            AuditChainFinding::Kind::kChanged, row.id, expected,
            where + ": MAC does not match (contents changed, or forged)"};
        return report;
      }
      previous = row.mac;
      ++expected;
      ++report.events_checked;
      after_seq = seq;
      after_id = row.id;
    }
    if (static_cast<int>(page->size()) < kPageSize) break;
  }

  if (expected - 1 != state->head_seq) {
    report.first_problem = AuditChainFinding{
        AuditChainFinding::Kind::kTruncated, 0, expected,
        "the chain ends at seq " + std::to_string(expected - 1) +
            " but its head records seq " + std::to_string(state->head_seq)};
  } else if (state->head_seq > state->anchor_seq && previous != state->head_mac) {
    report.first_problem = AuditChainFinding{AuditChainFinding::Kind::kChanged, 0,
                                             state->head_seq,
                                             "the last event's MAC differs from the head's"};
  }
  return report;
}

}  // namespace automation
