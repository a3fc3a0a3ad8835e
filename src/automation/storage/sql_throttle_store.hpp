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

  // Also prunes this key's failures older than kRetentionSeconds, so rows do not pile
  // up for keys that are never cleared (password spraying, unknown usernames).
  Status record_failure(std::string_view key, UnixSeconds at) override;
  Result<FailureWindow> failures_since(std::string_view key, UnixSeconds since) override;
  Status clear_failures(std::string_view key) override;

  // Failures older than this (relative to the newest recorded one) are deleted; far
  // longer than any sensible throttling window (SPEC default 900 s).
  static constexpr UnixSeconds kRetentionSeconds = 7 * 24 * 3600;

 private:
  Database& db_;
};

}  // namespace automation::storage
