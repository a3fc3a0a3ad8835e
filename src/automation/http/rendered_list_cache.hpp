#pragma once

// Rendered user lists kept for the listing version they were read at (UserStore::
// list_version), so that clients polling the whole list or a page of it (the HMI asks for
// page=1&limit=20 on every visit, or limit=10000) cost one version read per request instead of
// reading and rendering the users.
// Every response shares the one kept text (no copy per response), and after a big list is
// rendered the memory it took is handed back to the system (malloc_trim), so a burst of big
// answers leaves no lasting growth.
// A page whose rows reach the end of the list (page 1 with any limit at or past the number of
// users, ...) holds the same rows as every other such page starting at the same row: those
// pages share one text of their rows (Key::rows_to_end), and only their pagination object is
// written per answer. Otherwise every limit past the end would render (and hold, while a
// client is slow to read it) a copy of the whole list of its own.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace automation::http {

class RenderedListCache {
 public:
  // Which list: page 0 with limit 0 is the whole list, else a page of `limit` users; or, with
  // first_row >= 0 (page and limit 0), the rows from first_row to the end, as
  // user_page_rows_text renders them.
  struct Key {
    std::int64_t page = 0;
    std::int64_t limit = 0;
    std::int64_t first_row = -1;
    auto operator<=>(const Key&) const = default;

    static Key whole_list() { return {}; }
    static Key rows_to_end(std::int64_t first_row) { return {0, 0, first_row}; }
    bool is_rows_to_end() const { return first_row >= 0; }
  };
  // The key of page `page` of `limit` users (both >= 1) when the list holds `total` users
  // (unknown: nullopt): the rows it shares when it reaches the end, else the page itself.
  static Key page_key(std::int64_t page, std::int64_t limit, std::optional<std::int64_t> total);
  using Text = std::shared_ptr<const std::string>;

  // At most this many lists, of at most this many bytes together, are kept for one version;
  // beyond either bound the list kept longest ago goes first (a client walking through every
  // page does not push out the first page every HMI visit asks for for long: it is kept again
  // at its next request). The list just rendered is always kept, whatever its size.
  static constexpr std::size_t kMaxKept = 64;
  static constexpr std::size_t kMaxKeptBytes = std::size_t{64} << 20;

  // Big lists (the whole list, pages of kBigLimit or more) are rendered one at a time: when
  // many clients ask for the same big list after a change, one renders it and the others
  // wait and share its text, instead of each holding the users read and a copy of the text
  // at once (tens of MiB each at 100,000 users). A request for another big list while one is
  // being rendered does not wait: it gets a busy turn (the route answers 503), because I/O
  // threads queued behind a stream of big renders could serve nothing else, not even a ping.
  static constexpr std::int64_t kBigLimit = 1000;
  static bool is_big(const Key& key) { return key.limit == 0 || key.limit >= kBigLimit; }

  class RenderTurn {
   public:
    RenderTurn(RenderTurn&& other) noexcept = default;
    RenderTurn& operator=(RenderTurn&&) = delete;
    RenderTurn(const RenderTurn&) = delete;
    RenderTurn& operator=(const RenderTurn&) = delete;
    ~RenderTurn();
    // Another big list is being rendered: no turn.
    bool busy() const { return !lock_.owns_lock(); }

   private:
    friend class RenderedListCache;
    RenderTurn(RenderedListCache* cache, std::unique_lock<std::mutex> lock)
        : cache_(cache), lock_(std::move(lock)) {}
    RenderedListCache* cache_;
    std::unique_lock<std::mutex> lock_;
  };
  // The turn to render the big list `key` (as asked for, page and limit) at `version`: at
  // once, after the rendering of the same list (then find() has it), or busy.
  [[nodiscard]] RenderTurn render_alone(std::int64_t version, const Key& key);

  // The text kept for `key` at `version`, or nullptr.
  Text find(std::int64_t version, const Key& key) const;
  // How many users the list held at `version`, when a list read at it was kept.
  std::optional<std::int64_t> total(std::int64_t version) const;
  // Keeps `text` for `key` at `version`, when the list held `total` users (if known);
  // everything kept for an older version is dropped.
  void keep(std::int64_t version, const Key& key, Text text,
            std::optional<std::int64_t> total = std::nullopt);

 private:
  struct Kept {
    Text text;
    std::uint64_t order = 0;  // when it was kept: lower is older
  };
  void make_room_locked(std::size_t incoming_bytes);

  std::mutex render_mutex_;  // held while a big list is read and rendered
  // Which list holds render_mutex_ (version, key), under mutex_.
  std::optional<std::pair<std::int64_t, Key>> rendering_;
  mutable std::mutex mutex_;
  std::int64_t version_ = -1;
  std::optional<std::int64_t> total_;  // at version_
  std::map<Key, Kept> texts_;
  std::size_t kept_bytes_ = 0;
  std::uint64_t next_order_ = 0;
};

// Returns free heap memory to the system after a large response was rendered (glibc keeps
// freed memory otherwise, and a 100,000-user list takes tens of MiB while it is built).
void release_free_memory_after(std::size_t rendered_bytes);

}  // namespace automation::http
