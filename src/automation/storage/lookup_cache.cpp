#include "automation/storage/lookup_cache.hpp"

namespace automation::storage {

std::int64_t LookupCache::sync() {
  const std::int64_t current = watch_.version();
  {
    const std::shared_lock lock(mutex_);
    if (current == version_) return current;
  }
  const std::unique_lock lock(mutex_);
  if (current != version_) {
    clear_locked();
    version_ = current;
  }
  return current;
}

void LookupCache::clear_locked() {
  sessions.clear();
  users.clear();
  roles.clear();
  tpts.clear();
  size_ = 0;
}

}  // namespace automation::storage
