#include "automation/storage/lookup_cache.hpp"

#include <algorithm>
#include <charconv>

namespace automation::storage {
namespace {

// Keep this many changes in the feed for readers that fall behind; prune in steps of as many.
constexpr std::int64_t kFeedRetention = 10'000;

template <typename Map, typename Predicate>
std::size_t erase_where(Map& map, Predicate predicate) {
  std::size_t erased = 0;
  for (auto it = map.begin(); it != map.end();) {
    if (predicate(it->second)) {
      it = map.erase(it);
      ++erased;
    } else {
      ++it;
    }
  }
  return erased;
}

}  // namespace

LookupCache::LookupCache(ChangeFeed& feed, SqliteChangeWatch* watch, std::size_t max_entries,
                         std::size_t max_absent)
    : feed_(feed), watch_(watch), max_entries_(max_entries), max_absent_(max_absent) {}

thread_local LookupCache::FreshMark LookupCache::fresh_on_this_thread_;

void LookupCache::begin_request() {
  fresh_on_this_thread_ = FreshMark{};
  if (auto epoch = sync()) fresh_on_this_thread_ = FreshMark{this, *epoch};
}

void LookupCache::end_request() { fresh_on_this_thread_ = FreshMark{}; }

Result<std::uint64_t> LookupCache::sync() {
  // Inside a request already brought up to date. Its epoch is enough for get(): a batch
  // applied since makes get() keep nothing it loads, which is only ever safe.
  if (fresh_on_this_thread_.cache == this) return fresh_on_this_thread_.epoch;
  const std::uint64_t arrival = syncs_started_.load(std::memory_order_acquire);
  if (watch_ != nullptr) {
    // SQLite: no commit anywhere since the last feed read, nothing to apply.
    const std::int64_t generation = watch_->version();
    if (generation == synced_generation_.load(std::memory_order_acquire)) {
      const std::shared_lock lock(mutex_);
      if (position_ >= 0) return epoch_;
    }
  }
  return sync_with_feed(arrival);
}

Result<std::uint64_t> LookupCache::sync_with_feed(std::uint64_t arrival) {
  const std::unique_lock sync_lock(sync_mutex_);
  if (syncs_completed_ > arrival) {
    // A feed read that began after this lookup arrived has been applied.
    const std::shared_lock lock(mutex_);
    return epoch_;
  }
  const std::uint64_t ticket = syncs_started_.fetch_add(1, std::memory_order_acq_rel) + 1;
  // The generation is read before the feed: a commit in between moves it again, so the
  // next lookup reads the feed once more.
  const std::int64_t generation = watch_ != nullptr ? watch_->version() : 0;
  auto position = feed_.position();
  if (!position) return fail(position.error());
  std::int64_t applied = 0;
  {
    const std::shared_lock lock(mutex_);
    applied = position_;
  }
  if (*position != applied) {
    auto batch = feed_.since(applied < 0 ? *position : applied);
    if (!batch) return fail(batch.error());
    if (applied < 0) batch->gap = true;  // first read: whatever is cached predates the feed
    Applied applied_batch;
    {
      const std::unique_lock lock(mutex_);
      applied_batch = apply_locked(*batch);
    }
    // Still under sync_mutex_: no other batch is applied while loading, and whatever is
    // loaded is read after the position just applied.
    if (applied_batch.cleared) {
      reload_sessions();
    } else {
      prefetch(std::move(applied_batch.announced_sessions));
    }
  }
  synced_generation_.store(generation, std::memory_order_release);
  syncs_completed_ = ticket;
  std::int64_t prune_to = 0;
  std::uint64_t epoch = 0;
  {
    const std::shared_lock lock(mutex_);
    epoch = epoch_;
    if (position_ - pruned_up_to_ >= 2 * kFeedRetention) prune_to = position_ - kFeedRetention;
  }
  if (prune_to > 0 && feed_.prune(prune_to)) {
    const std::unique_lock lock(mutex_);
    pruned_up_to_ = prune_to;
  }
  return epoch;
}

LookupCache::Applied LookupCache::apply_locked(const ChangeBatch& batch) {
  ++epoch_;
  position_ = batch.position;
  if (batch.gap) {
    clear_locked();
    return Applied{{}, true};
  }
  std::vector<std::string> announced_sessions;
  for (const Change& change : batch.changes) {
    if (change.entity == "session") {
      entries_dropped_.fetch_add(sessions.erase(change.key), std::memory_order_relaxed);
      if (session_loader_) announced_sessions.push_back(change.key);
    } else if (change.entity == "tpt") {
      entries_dropped_.fetch_add(tpts.erase(change.key), std::memory_order_relaxed);
    } else if (change.entity == "username") {
      // A user row took this name (lower()ed by the database, as lookups compare it).
      entries_dropped_.fetch_add(unknown_usernames.erase(change.key), std::memory_order_relaxed);
    } else if (std::int64_t id = 0; change.entity == "user" &&
                                    std::from_chars(change.key.data(),
                                                    change.key.data() + change.key.size(), id)
                                            .ec == std::errc()) {
      drop_user_locked(id);
    } else {
      // A role (users and sessions carry their role) or anything unknown: start afresh.
      clear_locked();
      return Applied{{}, true};
    }
  }
  return Applied{std::move(announced_sessions), false};
}

Result<std::size_t> LookupCache::load_existing_sessions(const NewestSessionsLoader& load) {
  auto epoch = refresh();
  if (!epoch) return fail(epoch.error());
  auto loaded = load(sessions_to_load());
  if (!loaded) return fail(loaded.error());
  std::size_t kept = 0;
  {
    const std::unique_lock lock(mutex_);
    // What was read may predate a change applied meanwhile: keep nothing then.
    if (epoch_ == *epoch) kept = keep_sessions_locked(*loaded);
  }
  const std::lock_guard sync_lock(sync_mutex_);
  existing_loader_ = load;
  return kept;
}

void LookupCache::reload_sessions() {
  if (!existing_loader_) return;
  auto loaded = existing_loader_(sessions_to_load());
  // A failed load costs only the cold lookups it would have saved.
  if (!loaded) return;
  const std::unique_lock lock(mutex_);
  keep_sessions_locked(*loaded);
}

std::size_t LookupCache::keep_sessions_locked(std::vector<ActiveSession>& loaded) {
  std::size_t kept = 0;
  for (ActiveSession& active : loaded) {
    if (entry_count_locked() >= max_entries_) break;
    std::string digest = active.session.token_digest;
    if (sessions.emplace(std::move(digest), std::move(active)).second) ++kept;
  }
  sessions_prefetched_.fetch_add(kept, std::memory_order_relaxed);
  return kept;
}

void LookupCache::prefetch(std::vector<std::string> digests) {
  if (digests.empty()) return;
  std::sort(digests.begin(), digests.end());
  digests.erase(std::unique(digests.begin(), digests.end()), digests.end());
  {
    // Never more than the cache has room for: prefetching must not push out what is in use.
    const std::shared_lock lock(mutex_);
    const std::size_t used = entry_count_locked();
    const std::size_t room = used < max_entries_ ? max_entries_ - used : 0;
    if (digests.size() > room) digests.resize(room);
  }
  // In chunks, so that a bulk insert of many sessions (an import) does not hold all of them
  // twice, as loaded rows and as entries, at once.
  constexpr std::size_t kChunk = 1024;
  for (std::size_t begin = 0; begin < digests.size(); begin += kChunk) {
    const std::vector<std::string> chunk(
        digests.begin() + static_cast<std::ptrdiff_t>(begin),
        digests.begin() + static_cast<std::ptrdiff_t>(std::min(digests.size(), begin + kChunk)));
    auto loaded = session_loader_(chunk);
    // A failed load costs only the cold lookups it would have saved.
    if (!loaded) return;
    const std::unique_lock lock(mutex_);
    keep_sessions_locked(*loaded);
  }
}

void LookupCache::drop_user_locked(std::int64_t user_id) {
  // Rare (password, role or profile changes, deletions): a scan beats keeping an index.
  std::size_t dropped =
      erase_where(users, [user_id](const User& user) { return user.id == user_id; });
  dropped += erase_where(sessions, [user_id](const ActiveSession& session) {
    return session.user.id == user_id;
  });
  entries_dropped_.fetch_add(dropped, std::memory_order_relaxed);
}

void LookupCache::remember_absent_locked(std::unordered_set<std::string>& absent,
                                         const std::string& key) {
  if (max_absent_ == 0) return;
  // At the bound one goes for each that comes: made-up names cost only each other's places.
  if (absent.size() >= max_absent_) absent.erase(absent.begin());
  absent.insert(key);
}

void LookupCache::forget_absent(std::unordered_set<std::string>& absent, const std::string& key) {
  const std::unique_lock lock(mutex_);
  absent.erase(key);
}

void LookupCache::clear_locked() {
  sessions.clear();
  users.clear();
  roles.clear();
  tpts.clear();
  unknown_usernames.clear();
  full_clears_.fetch_add(1, std::memory_order_relaxed);
}

std::size_t LookupCache::entry_count_locked() const {
  return sessions.size() + users.size() + roles.size() + tpts.size();
}

LookupCache::ListVersion LookupCache::list_version(const std::function<ListVersion()>& load) {
  if (watch_ == nullptr || in_atomic_change()) return load();
  const std::int64_t generation = watch_->version();
  {
    const std::lock_guard lock(list_version_mutex_);
    if (list_version_ && list_version_generation_ == generation) return *list_version_;
  }
  auto loaded = load();
  if (loaded) {
    const std::lock_guard lock(list_version_mutex_);
    list_version_generation_ = generation;
    list_version_ = *loaded;
  }
  return loaded;
}

LookupCache::Stats LookupCache::stats() const {
  return Stats{hits_.load(std::memory_order_relaxed), misses_.load(std::memory_order_relaxed),
               entries_dropped_.load(std::memory_order_relaxed),
               full_clears_.load(std::memory_order_relaxed),
               sessions_prefetched_.load(std::memory_order_relaxed)};
}

}  // namespace automation::storage
