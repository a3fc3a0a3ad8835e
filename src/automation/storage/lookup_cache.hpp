#pragma once

// An exactly-correct cache of the hot lookups (session by key digest, user by name, role by
// name, token by jti), shared by SQLite and PostgreSQL.
//
// Before answering, every lookup makes sure the cache has applied every change committed
// before the lookup began, by any process: it reads the change feed's position (on SQLite
// only when the WAL-index header shows a commit, which costs no system call; on PostgreSQL
// with one single-row query, shared by the lookups that arrive while it runs) and, when the
// position moved, drops exactly the entries the new changes touch. So a logout, password
// change, role change, deletion or revocation acknowledged by any process is enforced by the
// very next request everywhere, while one user's logout leaves everyone else's entries alone.
// If the feed cannot be read, the lookup fails (kUnavailable) rather than answer from memory.
//
// New sessions are in the feed too (migration 11): with a SessionLoader set, the feed read that
// hears of them loads them right away, in one read for the whole batch, so the first request
// with a key made by a login anywhere (another node, the CLI, this process) is answered from
// memory rather than by a cold SQL lookup per key. Loaded entries are as fresh as any lookup's
// (read after the feed position they follow) and are dropped by later changes like any other.
//
// Usernames that match no user are remembered too (migration 12 logs every username a user
// row takes, by insert or rename, in the feed as "username" with the database's lower() of
// it, and that entry drops exactly the remembered miss): so a name that does not exist is
// answered from memory like one that does, and the time of a 404 does not tell a hidden sudo
// account from a missing one. They have a bound of their own; past it the oldest-placed go one
// by one, and a flood of made-up names never empties the rest of the cache.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "automation/core/ports.hpp"
#include "automation/storage/change_feed.hpp"
#include "automation/storage/change_watch.hpp"
#include "automation/storage/database.hpp"

namespace automation::storage {

class LookupCache {
 public:
  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t entries_dropped = 0;  // by changes to exactly those entries
    std::uint64_t full_clears = 0;      // role changes, feed gaps, the size cap
    std::uint64_t sessions_prefetched = 0;  // loaded before their first lookup (any way)
  };

  // Reads the sessions with these digests (those that exist) in one read.
  using SessionLoader =
      std::function<Result<std::vector<ActiveSession>>(const std::vector<std::string>& digests)>;

  // feed (and watch, the SQLite commit detector; nullptr for PostgreSQL) outlive the cache.
  // max_absent bounds the remembered misses (unknown_usernames), apart from max_entries.
  LookupCache(ChangeFeed& feed, SqliteChangeWatch* watch, std::size_t max_entries = 250'000,
              std::size_t max_absent = 16'384);

  // Looks `key` up in `table`; on a miss runs `load` and keeps a found value, unless changes
  // were applied while loading (it may be stale then). With `absent`, "not found" is kept
  // there the same way (and answered from there); without, it is never cached. Errors never are.
  template <typename Value>
  Result<std::optional<Value>> get(
      std::unordered_map<std::string, Value>& table, const std::string& key,
      const std::function<Result<std::optional<Value>>()>& load,
      std::unordered_set<std::string>* absent = nullptr) {
    // Inside an atomic change a load may see the change's own uncommitted writes, which it
    // may yet undo: such lookups bypass the cache.
    if (in_atomic_change()) return load();
    auto epoch = sync();
    if (!epoch) return fail(epoch.error());
    {
      const std::shared_lock lock(mutex_);
      if (auto it = table.find(key); it != table.end()) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return std::optional<Value>(it->second);
      }
      if (absent != nullptr && absent->contains(key)) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return std::optional<Value>();
      }
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    auto loaded = load();
    if (loaded && (*loaded || absent != nullptr)) {
      const std::unique_lock lock(mutex_);
      if (epoch_ == *epoch) {
        if (*loaded) {
          if (entry_count_locked() >= max_entries_) clear_locked();
          table.emplace(key, **loaded);
        } else {
          remember_absent_locked(*absent, key);
        }
      }
    }
    return loaded;
  }

  // Forgets that `key` matched nothing (this process just created it): a lookup later in
  // the same request, which skips the feed read, must not answer from the old miss.
  void forget_absent(std::unordered_set<std::string>& absent, const std::string& key);

  Stats stats() const;

  // The user listing version (UserStore::list_version) without a database read while nothing
  // was committed since the last read: on SQLite the WAL-index header tells that for free (the
  // generation is read before the version, so a commit in between only causes another read).
  // On PostgreSQL, and inside an atomic change, every call runs `load`.
  using ListVersion = Result<std::optional<std::int64_t>>;
  ListVersion list_version(const std::function<ListVersion()>& load);

  // Turns on loading new sessions ahead of their first lookup; set before the cache is used.
  void prefetch_new_sessions(SessionLoader loader) { session_loader_ = std::move(loader); }

  // Reads up to `limit` sessions, newest first.
  using NewestSessionsLoader = std::function<Result<std::vector<ActiveSession>>(std::size_t limit)>;
  // Loads the sessions that exist now (the newest, up to half the cache's size) so that keys
  // made before a server started are answered from memory too; returns how many were kept.
  // Exact like get(): nothing is kept if a change was applied while loading. From then on the
  // same load follows every time the whole cache is emptied (a role change, a feed gap), so
  // sessions do not fall back onto the cold path one by one.
  Result<std::size_t> load_existing_sessions(const NewestSessionsLoader& load);

  // Brings the cache up to date once for a whole request handled on this thread: until
  // end_request(), lookups on this thread skip their own feed read (every change acknowledged
  // before the request began is applied; later ones may be seen or not, as for any request in
  // flight). If the feed cannot be read, nothing is marked and each lookup checks (and fails)
  // alone. No allocation: a thread-local mark.
  void begin_request();
  void end_request();
  // The same in two steps, for callers that check once for a batch of requests and run them
  // on other threads (FreshnessGate): refresh() applies every change committed so far and
  // returns the epoch reached; enter_request(epoch) marks this thread's request fresh at it.
  Result<std::uint64_t> refresh() { return sync_with_feed(syncs_started_.load()); }
  void enter_request(std::uint64_t epoch) { fresh_on_this_thread_ = FreshMark{this, epoch}; }
  // True when checking costs no database round trip (SQLite's WAL-index header).
  bool checks_are_local() const { return watch_ != nullptr; }

  std::unordered_map<std::string, ActiveSession> sessions;
  std::unordered_map<std::string, User> users;  // by lower-cased username
  std::unordered_map<std::string, Role> roles;  // by lower-cased name
  std::unordered_map<std::string, TptRecord> tpts;
  // Lower-cased (ASCII) usernames that matched no user (see the top of this file).
  std::unordered_set<std::string> unknown_usernames;

 private:
  // Applies every change committed before this call began; returns the epoch (a counter of
  // applied batches) the cache is at.
  Result<std::uint64_t> sync();
  Result<std::uint64_t> sync_with_feed(std::uint64_t arrival);
  struct Applied {
    std::vector<std::string> announced_sessions;  // new or changed sessions, to load
    bool cleared = false;                         // everything was dropped
  };
  Applied apply_locked(const ChangeBatch& batch);
  void prefetch(std::vector<std::string> digests);
  // Under sync_mutex_ after a full clear: the same load as load_existing_sessions.
  void reload_sessions();
  // Keeps loaded sessions not cached yet, within the cap; returns how many.
  std::size_t keep_sessions_locked(std::vector<ActiveSession>& loaded);
  void drop_user_locked(std::int64_t user_id);
  void remember_absent_locked(std::unordered_set<std::string>& absent, const std::string& key);
  void clear_locked();
  std::size_t entry_count_locked() const;
  // How many stored sessions a full load reads: half the cache, leaving room for the rest.
  std::size_t sessions_to_load() const { return max_entries_ / 2; }

  ChangeFeed& feed_;
  SqliteChangeWatch* watch_;
  std::size_t max_entries_;
  std::size_t max_absent_;
  SessionLoader session_loader_;
  NewestSessionsLoader existing_loader_;  // guarded by sync_mutex_; set by load_existing_sessions

  std::mutex list_version_mutex_;
  std::int64_t list_version_generation_ = 0;
  std::optional<std::optional<std::int64_t>> list_version_;  // nullopt: not read yet

  std::shared_mutex mutex_;  // guards the tables, position_ and epoch_
  std::int64_t position_ = -1;  // feed position applied (-1: nothing yet, so sync() clears)
  std::uint64_t epoch_ = 0;
  std::int64_t pruned_up_to_ = 0;

  // Coalescing: one feed read at a time; a lookup that arrives while one runs waits for the
  // next to *start* after its arrival (an earlier one may predate the change it must see).
  std::mutex sync_mutex_;
  std::atomic<std::uint64_t> syncs_started_{0};
  std::uint64_t syncs_completed_ = 0;           // ticket of the last finished sync
  std::atomic<std::int64_t> synced_generation_{0};  // SQLite: WAL generation at the last sync

  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
  std::atomic<std::uint64_t> entries_dropped_{0};
  std::atomic<std::uint64_t> full_clears_{0};
  std::atomic<std::uint64_t> sessions_prefetched_{0};

  // The request this thread is handling was brought up to date at `epoch` by `cache`.
  struct FreshMark {
    const LookupCache* cache = nullptr;
    std::uint64_t epoch = 0;
  };
  static thread_local FreshMark fresh_on_this_thread_;
};

}  // namespace automation::storage
