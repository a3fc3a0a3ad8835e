#include "automation/http/rendered_list_cache.hpp"

#include <malloc.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace automation::http {

RenderedListCache::Text RenderedListCache::find(std::int64_t version, const Key& key) const {
  const std::lock_guard lock(mutex_);
  if (version != version_) return nullptr;
  auto it = texts_.find(key);
  return it == texts_.end() ? nullptr : it->second.text;
}

std::optional<std::int64_t> RenderedListCache::total(std::int64_t version) const {
  const std::lock_guard lock(mutex_);
  if (version != version_) return std::nullopt;
  return total_;
}

RenderedListCache::Key RenderedListCache::page_key(std::int64_t page, std::int64_t limit,
                                                   std::optional<std::int64_t> total) {
  if (!total) return Key{page, limit};
  // (page - 1) * limit without overflow: a page starting past the list starts at its end.
  const std::int64_t pages_before = page - 1;
  const std::int64_t pages_in_list = *total / limit + (*total % limit != 0 ? 1 : 0);
  const std::int64_t first_row = pages_before >= pages_in_list ? *total : pages_before * limit;
  if (limit < *total - first_row) return Key{page, limit};  // rows remain after this page
  return Key::rows_to_end(first_row);
}

void RenderedListCache::keep(std::int64_t version, const Key& key, Text text,
                             std::optional<std::int64_t> total) {
  const std::lock_guard lock(mutex_);
  if (version < version_) return;  // rendered from an older snapshot than what is kept
  if (version > version_) {
    texts_.clear();
    kept_bytes_ = 0;
    version_ = version;
    total_.reset();
  }
  if (total) total_ = total;
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

RenderedListCache::RenderTurn RenderedListCache::render_alone(std::int64_t version,
                                                              const Key& key) {
  std::unique_lock turn(render_mutex_, std::try_to_lock);
  if (!turn.owns_lock()) {
    {
      const std::lock_guard lock(mutex_);
      if (rendering_ != std::pair{version, key}) return RenderTurn(this, std::move(turn));
    }
    turn.lock();  // the same list: wait for its text
  }
  const std::lock_guard lock(mutex_);
  rendering_ = std::pair{version, key};
  return RenderTurn(this, std::move(turn));
}

RenderedListCache::RenderTurn::~RenderTurn() {
  if (!lock_.owns_lock()) return;
  {
    const std::lock_guard lock(cache_->mutex_);
    cache_->rendering_.reset();
  }
  lock_.unlock();
}

void release_free_memory_after(std::size_t rendered_bytes) {
  constexpr std::size_t kLarge = 1 << 20;
  if (rendered_bytes >= kLarge) malloc_trim(0);
}

}  // namespace automation::http
