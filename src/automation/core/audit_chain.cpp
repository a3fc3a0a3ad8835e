#include "automation/core/audit_chain.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <vector>

#include "automation/core/text.hpp"

namespace automation {

namespace {

constexpr int kPageSize = 1000;

constexpr std::string_view kThroughSeq = " through seq ";
constexpr std::string_view kRefusalsAt = "; refusals at seq ";
constexpr std::string_view kStartTarget = "row id ";
constexpr std::string_view kStartReason = " earlier events carry no seal";

// A whole non-negative decimal number, nothing around it.
std::optional<std::int64_t> parse_count(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() || value < 0) {
    return std::nullopt;
  }
  return value;
}

bool is_system_record(const AuditEvent& event, std::string_view name) {
  return event.event == name && event.actor == "system" && event.outcome == "success";
}

std::string seq_range(std::int64_t from, std::int64_t to) {
  return std::to_string(from) + ".." + std::to_string(to);
}

}  // namespace

std::string pruning_target(std::int64_t removed, std::int64_t through_seq,
                           const SeqRanges& removed_after_anchor) {
  std::string target = std::to_string(removed) + " events";
  if (through_seq > 0) target += std::string(kThroughSeq) + std::to_string(through_seq);
  if (!removed_after_anchor.empty()) {
    target += kRefusalsAt;
    for (std::size_t i = 0; i < removed_after_anchor.size(); ++i) {
      if (i > 0) target += ", ";
      target += seq_range(removed_after_anchor[i].first, removed_after_anchor[i].second);
    }
  }
  return target;
}

std::optional<std::int64_t> pruned_through(const AuditEvent& event) {
  if (!is_system_record(event, kAuditPrunedEvent)) return std::nullopt;
  std::string_view target = event.target;
  target = target.substr(0, std::min(target.size(), target.find(kRefusalsAt)));
  const auto at = target.rfind(kThroughSeq);
  if (at == std::string_view::npos) return std::nullopt;
  return parse_count(target.substr(at + kThroughSeq.size()));
}

SeqRanges pruned_refusals(const AuditEvent& event) {
  SeqRanges ranges;
  if (!is_system_record(event, kAuditPrunedEvent)) return ranges;
  const std::string_view target = event.target;
  const auto at = target.find(kRefusalsAt);
  if (at == std::string_view::npos) return ranges;
  std::string_view rest = target.substr(at + kRefusalsAt.size());
  while (!rest.empty()) {
    const auto comma = rest.find(", ");
    const std::string_view item = rest.substr(0, comma);
    const auto dots = item.find("..");
    if (dots == std::string_view::npos) return {};
    const auto from = parse_count(item.substr(0, dots));
    const auto to = parse_count(item.substr(dots + 2));
    if (!from || !to || *to < *from) return {};
    ranges.emplace_back(*from, *to);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 2);
  }
  return ranges;
}

AuditEvent chain_start_record(UnixSeconds time, const AuditChainStart& start) {
  return AuditEvent{time,
                    std::string(kAuditChainStartedEvent),
                    "system",
                    std::string(kStartTarget) + std::to_string(start.start_id),
                    "",
                    "success",
                    std::to_string(start.unsealed_events) + std::string(kStartReason)};
}

std::optional<AuditChainStart> parse_chain_start(const AuditEvent& event) {
  if (!is_system_record(event, kAuditChainStartedEvent)) return std::nullopt;
  const std::string_view target = event.target;
  const std::string_view reason = event.reason;
  if (!target.starts_with(kStartTarget) || !reason.ends_with(kStartReason)) return std::nullopt;
  const auto start_id = parse_count(target.substr(kStartTarget.size()));
  const auto unsealed = parse_count(reason.substr(0, reason.size() - kStartReason.size()));
  if (!start_id || !unsealed) return std::nullopt;
  return AuditChainStart{*start_id, *unsealed};
}

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

namespace {

// After the walk: the anchor must be the one the newest pruning record states (0 without
// one), and rows without a seal only those the chain's start record counted, before it.
Result<std::optional<AuditChainFinding>> check_unsealed_parts(
    AuditStore& store, const AuditChainState& state, std::optional<std::int64_t> pruned_through,
    const std::optional<AuditChainStart>& start) {
  using Kind = AuditChainFinding::Kind;
  const std::int64_t recorded_anchor = pruned_through.value_or(0);
  if (state.anchor_seq != recorded_anchor) {
    const std::string what =
        state.anchor_seq > recorded_anchor
            ? "events " + seq_range(recorded_anchor + 1, state.anchor_seq) +
                  " were removed and the anchor moved past them"
            : "the anchor was moved back";
    return AuditChainFinding{Kind::kRemoved, 0, recorded_anchor + 1,
                             "the chain's anchor is at seq " + std::to_string(state.anchor_seq) +
                                 " but the last sealed pruning left it at seq " +
                                 std::to_string(recorded_anchor) + ": " + what};
  }
  // Before anything chained was pruned, the rows the start record counted may remain.
  const bool history_may_remain = state.anchor_seq == 0 && start.has_value();
  if (history_may_remain && state.chain_start_id != start->start_id) {
    return AuditChainFinding{Kind::kInserted, 0, 0,
                             "the chain's start was moved from row id " +
                                 std::to_string(start->start_id) + " to row id " +
                                 std::to_string(state.chain_start_id) +
                                 ", so rows after it would pass as older than the chain"};
  }
  const std::int64_t from_id =
      history_may_remain ? start->start_id : std::numeric_limits<std::int64_t>::min();
  auto unsealed = store.first_unsealed_from(from_id);
  if (!unsealed) return fail(unsealed.error());
  if (*unsealed) {
    return AuditChainFinding{Kind::kInserted, (*unsealed)->id, 0,
                             "row id " + std::to_string((*unsealed)->id) +
                                 " carries no seal: inserted"};
  }
  auto count = store.unsealed_event_count();
  if (!count) return fail(count.error());
  const std::int64_t allowed = history_may_remain ? start->unsealed_events : 0;
  if (*count > allowed) {
    return AuditChainFinding{Kind::kInserted, 0, 0,
                             std::to_string(*count) + " rows carry no seal, but only " +
                                 std::to_string(allowed) +
                                 " predate the chain: the others were inserted"};
  }
  return std::optional<AuditChainFinding>();
}

// Sequence numbers missing after the anchor, and the row after them.
struct Gap {
  std::int64_t from = 0, to = 0;
  std::int64_t next_id = 0;
  std::string where;
};

// The first gap that the sealed prunings' lists do not cover entirely, if any.
const Gap* first_unlisted_gap(const std::vector<Gap>& gaps, SeqRanges listed) {
  std::sort(listed.begin(), listed.end());
  SeqRanges merged;
  for (const auto& range : listed) {
    if (!merged.empty() && range.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, range.second);
    } else {
      merged.push_back(range);
    }
  }
  for (const Gap& gap : gaps) {
    auto covering = std::upper_bound(
        merged.begin(), merged.end(), gap.from,
        [](std::int64_t seq, const auto& range) { return seq < range.first; });
    if (covering == merged.begin() || std::prev(covering)->second < gap.to) return &gap;
  }
  return nullptr;
}

}  // namespace

Result<AuditChainReport> verify_audit_chain(AuditStore& store,
                                            const MessageAuthenticator& authenticator) {
  auto state = store.chain_state();
  if (!state) return fail(state.error());
  AuditChainReport report;
  report.first_seq = state->anchor_seq + 1;
  report.last_seq = state->head_seq;
  report.last_mac = state->head_mac;

  // The sealed statements about the parts of the chain row the key does not cover.
  std::optional<std::int64_t> last_pruned_through;
  std::optional<AuditChainStart> start;

  SeqRanges pruned;      // what sealed prunings say they removed after the anchor
  std::vector<Gap> gaps;  // what is missing after the anchor

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
        // Refusals a pruning removed (its sealed record, later in the chain, lists them);
        // the row's stored link carries the chain across, and its MAC proves the link.
        if (row.prev_mac.empty()) {
          report.first_problem = AuditChainFinding{
              AuditChainFinding::Kind::kRemoved, row.id, expected,
              "events " + seq_range(expected, seq - 1) + " are missing before " + where};
          return report;
        }
        gaps.push_back(Gap{expected, seq - 1, row.id, where});
        previous = row.prev_mac;
        expected = seq;
      }
      if (authenticator.mac_hex(audit_chain_message(previous, seq, row.event)) != row.mac) {
        report.first_problem = AuditChainFinding{
            AuditChainFinding::Kind::kChanged, row.id, expected,
            where + ": MAC does not match (contents changed, or forged)"};
        return report;
      }
      if (auto through = pruned_through(row.event)) last_pruned_through = through;
      for (const auto& range : pruned_refusals(row.event)) pruned.push_back(range);
      if (!start) start = parse_chain_start(row.event);
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
    return report;
  }
  if (state->head_seq > state->anchor_seq && previous != state->head_mac) {
    report.first_problem = AuditChainFinding{AuditChainFinding::Kind::kChanged, 0,
                                             state->head_seq,
                                             "the last event's MAC differs from the head's"};
    return report;
  }
  if (auto gap = first_unlisted_gap(gaps, std::move(pruned))) {
    report.first_problem = AuditChainFinding{
        AuditChainFinding::Kind::kRemoved, gap->next_id, gap->from,
        "events " + seq_range(gap->from, gap->to) + " are missing before " + gap->where +
            ", and no sealed pruning removed them"};
    return report;
  }
  auto unsealed = check_unsealed_parts(store, *state, last_pruned_through, start);
  if (!unsealed) return fail(unsealed.error());
  report.first_problem = std::move(*unsealed);
  return report;
}

}  // namespace automation
