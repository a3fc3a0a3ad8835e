#include "automation/core/audit_retention.hpp"

#include <optional>
#include <string>

namespace automation {

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

std::string describe(const AuditRetentionSettings& settings) {
  std::string why = "retention:";
  if (settings.max_age_days > 0) {
    why += " older than " + std::to_string(settings.max_age_days) + " days";
  }
  if (settings.max_events > 0) {
    if (settings.max_age_days > 0) why += " or";
    why += " beyond " + std::to_string(settings.max_events) +
           " events (refusals first, then the oldest changes)";
  }
  return why;
}

}  // namespace

Result<AuditRetentionOutcome> AuditRetention::enforce() {
  AuditRetentionOutcome outcome;
  std::optional<UnixSeconds> older_than;
  std::optional<std::int64_t> keep_at_most;
  if (settings_.max_age_days > 0) {
    older_than = clock_.now() - settings_.max_age_days * kSecondsPerDay;
  }
  if (settings_.max_events > 0) keep_at_most = settings_.max_events;
  if (older_than || keep_at_most) {
    const AuditEvent record{clock_.now(), "audit_pruned", "system", "", "", "success",
                            describe(settings_)};
    auto pruned = store_.prune_events(older_than, keep_at_most, record);
    if (!pruned) return fail(pruned.error());
    outcome.pruned = *pruned;
  }
  auto count = store_.event_count();
  if (!count) return fail(count.error());
  outcome.events_stored = *count;
  if (settings_.max_events > 0) {
    outcome.percent_of_capacity = static_cast<int>(*count * 100 / settings_.max_events);
    const bool above = outcome.percent_of_capacity >= settings_.warn_percent;
    outcome.crossed_warning = above && !warned_;
    warned_ = above;
  }
  return outcome;
}

}  // namespace automation
