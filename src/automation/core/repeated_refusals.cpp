#include "automation/core/repeated_refusals.hpp"

#include <algorithm>

#include "automation/core/time_format.hpp"

namespace automation {

namespace {

constexpr std::string_view kSuccess = "success";
constexpr std::string_view kThrottled = "throttled";
constexpr std::size_t kTargetsShown = 5;

std::int64_t written_per_window(const AuditEvent& event) {
  return event.outcome == kThrottled ? RepeatedRefusals::kThrottledWrittenPerWindow
                                     : RepeatedRefusals::kWrittenPerWindow;
}

void append_key_field(std::string& key, std::string_view field) {
  key += std::to_string(field.size());
  key += ':';
  key += field;
}

}  // namespace

std::string RepeatedRefusals::key_of(const AuditEvent& event) {
  std::string key;
  for (std::string_view field : {std::string_view(event.event), std::string_view(event.actor),
                                 std::string_view(event.address), std::string_view(event.outcome),
                                 std::string_view(event.reason)}) {
    append_key_field(key, field);
  }
  if (event.outcome != kThrottled) append_key_field(key, event.target);
  return key;
}

bool RepeatedRefusals::count_event(const Tally& tally, AuditEvent& out) {
  const std::int64_t held_back = tally.seen - written_per_window(tally.first);
  if (held_back <= 0) return false;
  out = tally.first;
  out.time = tally.last;
  if (!tally.targets.empty()) {
    std::string targets;
    for (const std::string& target : tally.targets) {
      if (!targets.empty()) targets += ", ";
      targets += target;
    }
    if (tally.targets.size() >= kTargetsShown) targets += ", ...";
    out.target = std::move(targets);
  }
  out.reason += (out.reason.empty() ? "" : "; ") + std::string("repeated ") +
                std::to_string(held_back) + " more times from " + format_utc(tally.first.time) +
                " to " + format_utc(tally.last) + " UTC (recorded once, with this count)";
  return true;
}

RepeatedRefusals::Admission RepeatedRefusals::admit(const AuditEvent& event) {
  Admission admission;
  if (window_ <= 0 || event.outcome == kSuccess) return admission;
  const std::string key = key_of(event);
  const std::lock_guard lock(mutex_);
  auto found = tallies_.find(key);
  if (found != tallies_.end() && event.time >= found->second.first.time + window_) {
    AuditEvent count;
    if (count_event(found->second, count)) admission.counts.push_back(std::move(count));
    tallies_.erase(found);
    found = tallies_.end();
  }
  if (found == tallies_.end()) {
    if (tallies_.size() >= kMaxTracked) return admission;
    found = tallies_.emplace(key, Tally{event, event.time, 0, {}}).first;
  }
  Tally& tally = found->second;
  ++tally.seen;
  tally.last = std::max(tally.last, event.time);
  if (tally.seen <= written_per_window(event)) return admission;
  admission.write = false;
  if (event.outcome == kThrottled && tally.targets.size() < kTargetsShown &&
      std::find(tally.targets.begin(), tally.targets.end(), event.target) ==
          tally.targets.end()) {
    tally.targets.push_back(event.target);
  }
  return admission;
}

std::vector<AuditEvent> RepeatedRefusals::take_ended(UnixSeconds now, bool all) {
  std::vector<AuditEvent> counts;
  const std::lock_guard lock(mutex_);
  for (auto it = tallies_.begin(); it != tallies_.end();) {
    if (!all && now < it->second.first.time + window_) {
      ++it;
      continue;
    }
    AuditEvent count;
    if (count_event(it->second, count)) counts.push_back(std::move(count));
    it = tallies_.erase(it);
  }
  std::sort(counts.begin(), counts.end(),
            [](const AuditEvent& a, const AuditEvent& b) { return a.time < b.time; });
  return counts;
}

}  // namespace automation
