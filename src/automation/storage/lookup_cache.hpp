#pragma once

// An exactly-correct cache of the hot lookups (session by key digest, user by name, role by
// name, token by jti). Every lookup first asks the change watch whether anything was
// committed since the cache was filled; if so the whole cache is dropped. So a logout,
// password change, role change or revocation, by this process or another one sharing the
// SQLite file, is seen by the very next request.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "automation/core/ports.hpp"
#include "automation/storage/change_watch.hpp"

namespace automation::storage {

template <typename Value>
class CachedTable;

class LookupCache {
 public:
  explicit LookupCache(SqliteChangeWatch& watch, std::size_t max_entries = 100'000)
      : watch_(watch), max_entries_(max_entries) {}

  // Looks `key` up in `table`; on a miss runs `load` and keeps a found value, unless the
  // database changed while loading. Errors and "not found" are never cached.
  template <typename Value>
  Result<std::optional<Value>> get(
      std::unordered_map<std::string, Value>& table, const std::string& key,
      const std::function<Result<std::optional<Value>>()>& load) {
    const std::int64_t version = sync();
    {
      const std::shared_lock lock(mutex_);
      if (auto it = table.find(key); it != table.end()) return std::optional<Value>(it->second);
    }
    auto loaded = load();
    if (loaded && *loaded) {
      const std::unique_lock lock(mutex_);
      // Only if nothing was committed since `version` was read (else it may be stale).
      if (version_ == version && watch_.version() == version) {
        if (size_ >= max_entries_) clear_locked();
        if (table.emplace(key, **loaded).second) ++size_;
      }
    }
    return loaded;
  }

  std::unordered_map<std::string, ActiveSession> sessions;
  std::unordered_map<std::string, User> users;
  std::unordered_map<std::string, Role> roles;
  std::unordered_map<std::string, TptRecord> tpts;

 private:
  // The current database version; drops every entry if it moved.
  std::int64_t sync();
  void clear_locked();

  SqliteChangeWatch& watch_;
  std::size_t max_entries_;
  std::shared_mutex mutex_;
  std::int64_t version_ = 0;
  std::size_t size_ = 0;
};

}  // namespace automation::storage
