#include "automation/storage/listed_user_ids.hpp"

#include <utility>

namespace automation::storage {

std::shared_ptr<const ListedUserIds::Ids> ListedUserIds::at(std::int64_t version) const {
  const std::lock_guard lock(mutex_);
  return version == version_ ? ids_ : nullptr;
}

void ListedUserIds::keep(std::int64_t version, std::shared_ptr<const Ids> ids) {
  const std::lock_guard lock(mutex_);
  if (version < version_) return;  // a slower reader of an older snapshot
  version_ = version;
  ids_ = std::move(ids);
}

}  // namespace automation::storage
