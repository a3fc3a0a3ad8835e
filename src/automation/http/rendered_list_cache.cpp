#include "automation/http/rendered_list_cache.hpp"

#include <malloc.h>

#include <algorithm>
#include <utility>

namespace automation::http {

RenderedListCache::Text RenderedListCache::find(std::int64_t version, const Key& key) const {
  const std::lock_guard lock(mutex_);
  if (version != version_) return nullptr;
  auto it = texts_.find(key);
  return it == texts_.end() ? nullptr : it->second.text;
}

void RenderedListCache::keep(std::int64_t version, const Key& key, Text text) {
  const std::lock_guard lock(mutex_);
  if (version < version_) return;  // rendered from an older snapshot than what is kept
  if (version > version_) {
    texts_.clear();
    kept_bytes_ = 0;
    version_ = version;
  }
  if (auto it = texts_.find(key); it != texts_.end()) {
    kept_bytes_ -= it->second.text->size();
    texts_.erase(it);
  }
  make_room_locked(text->size());
  kept_bytes_ += text->size();
  texts_.emplace(key, Kept{std::move(text), next_order_++});
}

void RenderedListCache::make_room_locked(std::size_t incoming_bytes) {
  while (!texts_.empty() &&
         (texts_.size() >= kMaxKept || kept_bytes_ + incoming_bytes > kMaxKeptBytes)) {
    auto oldest = std::min_element(texts_.begin(), texts_.end(), [](const auto& a, const auto& b) {
      return a.second.order < b.second.order;
    });
    kept_bytes_ -= oldest->second.text->size();
    texts_.erase(oldest);
  }
}

void release_free_memory_after(std::size_t rendered_bytes) {
  constexpr std::size_t kLarge = 1 << 20;
  if (rendered_bytes >= kLarge) malloc_trim(0);
}

}  // namespace automation::http
