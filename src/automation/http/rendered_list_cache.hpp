#pragma once

// Rendered user lists kept for the listing version they were read at (UserStore::
// list_version), so that clients polling the whole list, or a big page of it (the HMI asks for
// limit=10000), cost one version read per request instead of reading and rendering every user.
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

  // Pages at least this long are kept; shorter ones are rendered again (they are cheap, and
  // there can be many of them).
  static constexpr std::int64_t kMinKeptLimit = 100;
  // At most this many lists are kept for one version.
  static constexpr std::size_t kMaxKept = 8;

  static bool worth_keeping(const Key& key) { return key.limit == 0 || key.limit >= kMinKeptLimit; }

  // The text kept for `key` at `version`, or nullptr.
  Text find(std::int64_t version, const Key& key) const;
  // Keeps `text` for `key` at `version`; everything kept for an older version is dropped.
  void keep(std::int64_t version, const Key& key, Text text);

 private:
  mutable std::mutex mutex_;
  std::int64_t version_ = -1;
  std::map<Key, Text> texts_;
};

// Returns free heap memory to the system after a large response was rendered (glibc keeps
// freed memory otherwise, and a 100,000-user list takes tens of MiB while it is built).
void release_free_memory_after(std::size_t rendered_bytes);

}  // namespace automation::http
