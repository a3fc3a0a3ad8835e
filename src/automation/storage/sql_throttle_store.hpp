#pragma once

#include "automation/core/ports.hpp"

namespace automation::storage {

class Database;

// ThrottleStore on the `login_failures` table: one row per failure, so every process
// sharing the database counts the same failures. Keys are sanitized (NUL and invalid
// UTF-8 become U+FFFD) rather than refused: a hostile username must still be counted,
// and the same sanitizing on write and read keeps the counts consistent.
class SqlThrottleStore final : public ThrottleStore {
 public:
  // db must outlive the store.
  explicit SqlThrottleStore(Database& db) : db_(db) {}

  // One write transaction: on PostgreSQL each key is locked (advisory, in key order, so two
  // reservations never deadlock); SQLite's BEGIN IMMEDIATE already serializes writers.
  // Also prunes the keys' failures older than kRetentionSeconds, so rows do not pile up for
  // keys that are never cleared (password spraying, unknown usernames).
  Result<AttemptReservation> reserve_attempt(const std::vector<ThrottleLimit>& limits,
                                             UnixSeconds now, UnixSeconds since) override;
  Status release_attempt(const std::vector<std::int64_t>& failure_ids,
                         std::string_view reset_key) override;
  Result<FailureWindow> failures_since(std::string_view key, UnixSeconds since) override;
  Result<std::int64_t> clear_failures(std::string_view key) override;
  Result<std::int64_t> count_keys_at_limit(std::string_view prefix, int limit,
                                           UnixSeconds since) override;

  // Failures older than this (relative to the newest recorded one) are deleted; far
  // longer than any sensible throttling window (SPEC default 900 s).
  static constexpr UnixSeconds kRetentionSeconds = 7 * 24 * 3600;

 private:
  Database& db_;
};

}  // namespace automation::storage
