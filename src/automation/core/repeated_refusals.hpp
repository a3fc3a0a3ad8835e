#pragma once

// Refusals that repeat are recorded once per window with a count, not once per request, so
// that no client can flood the audit trail (issue 19, item 3): a throttled address answered
// 429 ten thousand times adds a handful of events, not ten thousand.
//
// Two refusals repeat each other when they have the same event, actor, client address,
// outcome and reason, and the same target unless the outcome is "throttled" (a throttle
// refuses whatever name is tried). In each window (the login throttle's) the first of a
// throttle's refusals, and the first kWrittenPerWindow of any other refusal, are written as
// they happen; the rest are only counted, and one event carrying the count is written when
// the window ends. Successes are never held back.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "automation/core/model.hpp"

namespace automation {

class RepeatedRefusals {
 public:
  static constexpr std::int64_t kThrottledWrittenPerWindow = 1;
  static constexpr std::int64_t kWrittenPerWindow = 3;
  // How many distinct refusals are counted at once; past it, new ones are written as they
  // happen (a client with many addresses then writes as before, never more).
  static constexpr std::size_t kMaxTracked = 10'000;

  // window_seconds <= 0: nothing is held back.
  explicit RepeatedRefusals(std::int64_t window_seconds) : window_(window_seconds) {}

  struct Admission {
    bool write = true;               // write `event` now
    std::vector<AuditEvent> counts;  // the counts of windows that ended: write these first
  };
  Admission admit(const AuditEvent& event);

  // The counts of the windows that ended by `now`, or of every window when `all` (at stop),
  // each an event to write; the windows are forgotten.
  std::vector<AuditEvent> take_ended(UnixSeconds now, bool all = false);

 private:
  struct Tally {
    AuditEvent first;          // the first of the window, as written
    UnixSeconds last = 0;      // the newest repeat
    std::int64_t seen = 0;     // in this window, the written ones included
    std::vector<std::string> targets;  // a few of the repeats' targets (throttled only)
  };
  static std::string key_of(const AuditEvent& event);
  // Fills `out` with the event recording the tally's repeats beyond the written ones; false
  // when there are none.
  static bool count_event(const Tally& tally, AuditEvent& out);

  const std::int64_t window_;
  std::mutex mutex_;
  std::unordered_map<std::string, Tally> tallies_;
};

}  // namespace automation
