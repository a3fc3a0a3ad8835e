#include "automation/http/rendered_list_cache.hpp"

#include <malloc.h>

#include <utility>

namespace automation::http {

RenderedListCache::Text RenderedListCache::find(std::int64_t version, const Key& key) const {
  const std::lock_guard lock(mutex_);
  if (version != version_) return nullptr;
  auto it = texts_.find(key);
  return it == texts_.end() ? nullptr : it->second;
}

void RenderedListCache::keep(std::int64_t version, const Key& key, Text text) {
  const std::lock_guard lock(mutex_);
  if (version < version_) return;  // rendered from an older snapshot than what is kept
  if (version > version_) {
    texts_.clear();
    version_ = version;
  }
  if (texts_.size() >= kMaxKept && !texts_.contains(key)) texts_.erase(texts_.begin());
  texts_[key] = std::move(text);
}

void release_free_memory_after(std::size_t rendered_bytes) {
  constexpr std::size_t kLarge = 1 << 20;
  if (rendered_bytes >= kLarge) malloc_trim(0);
}

}  // namespace automation::http
