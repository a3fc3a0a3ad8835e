#include "automation/http/connections_per_address.hpp"

#include <algorithm>
#include <utility>

namespace automation::http {

void ConnectionsPerAddress::configure(std::size_t limit, std::vector<std::string> exempt) {
  const std::lock_guard lock(mutex_);
  limit_ = limit;
  exempt_ = std::move(exempt);
}

ConnectionsPerAddress::Admission ConnectionsPerAddress::admit(const std::string& address) {
  const std::lock_guard lock(mutex_);
  Open& open = open_[address];
  const bool limited =
      limit_ != 0 && std::find(exempt_.begin(), exempt_.end(), address) == exempt_.end();
  if (limited && open.connections >= limit_) {
    if (open.refusing) return Admission::kRefused;
    open.refusing = true;
    return Admission::kFirstRefused;
  }
  ++open.connections;
  return Admission::kAdmitted;
}

void ConnectionsPerAddress::ended(const std::string& address) noexcept {
  const std::lock_guard lock(mutex_);
  auto it = open_.find(address);
  if (it == open_.end()) return;
  if (it->second.connections > 0) --it->second.connections;
  if (it->second.connections == 0) open_.erase(it);
}

std::size_t ConnectionsPerAddress::held(const std::string& address) const {
  const std::lock_guard lock(mutex_);
  auto it = open_.find(address);
  return it == open_.end() ? 0 : it->second.connections;
}

}  // namespace automation::http
