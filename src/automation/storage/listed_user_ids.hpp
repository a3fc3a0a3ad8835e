#pragma once

// Internal to the storage layer: the ids of the listed users (role level > 0) in id order, as
// of one listing version, so that a page is found by position without COUNT(*) or OFFSET
// (both linear in the number of users). Kept exactly: an entry is only ever used for the
// version it was read at, and SqlUserStore reads the version in the page's own snapshot.

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace automation::storage {

class ListedUserIds {
 public:
  using Ids = std::vector<std::int64_t>;

  // The ids read at `version`, or nullptr when what is kept is of another version.
  std::shared_ptr<const Ids> at(std::int64_t version) const;
  // Keeps ids read at `version` (replacing an older version's; never a newer one's).
  void keep(std::int64_t version, std::shared_ptr<const Ids> ids);

 private:
  mutable std::mutex mutex_;
  std::int64_t version_ = -1;
  std::shared_ptr<const Ids> ids_;
};

}  // namespace automation::storage
