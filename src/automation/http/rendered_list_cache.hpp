#pragma once

// Rendered user lists kept for the listing version they were read at (UserStore::
// list_version), so that clients polling the whole list or a page of it (the HMI asks for
// page=1&limit=20 on every visit, or limit=10000) cost one version read per request instead of
// reading and rendering the users.
// Every response shares the one kept text (no copy per response), and after a big list is
// rendered the memory it took is handed back to the system (malloc_trim), so a burst of big
// answers leaves no lasting growth.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace automation::http {

class RenderedListCache {
 public:
  // Which list: page 0 with limit 0 is the whole list, else a page of `limit` users.
  struct Key {
    std::int64_t page = 0;
    std::int64_t limit = 0;
    auto operator<=>(const Key&) const = default;
  };
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
  // at once (tens of MiB each at 100,000 users).
  static constexpr std::int64_t kBigLimit = 1000;
  static bool is_big(const Key& key) { return key.limit == 0 || key.limit >= kBigLimit; }
  [[nodiscard]] std::unique_lock<std::mutex> render_alone() {
    return std::unique_lock(render_mutex_);
  }

  // The text kept for `key` at `version`, or nullptr.
  Text find(std::int64_t version, const Key& key) const;
  // Keeps `text` for `key` at `version`; everything kept for an older version is dropped.
  void keep(std::int64_t version, const Key& key, Text text);

 private:
  struct Kept {
    Text text;
    std::uint64_t order = 0;  // when it was kept: lower is older
  };
  void make_room_locked(std::size_t incoming_bytes);

  std::mutex render_mutex_;  // held while a big list is read and rendered
  mutable std::mutex mutex_;
  std::int64_t version_ = -1;
  std::map<Key, Kept> texts_;
  std::size_t kept_bytes_ = 0;
  std::uint64_t next_order_ = 0;
};

// Returns free heap memory to the system after a large response was rendered (glibc keeps
// freed memory otherwise, and a 100,000-user list takes tens of MiB while it is built).
void release_free_memory_after(std::size_t rendered_bytes);

}  // namespace automation::http
