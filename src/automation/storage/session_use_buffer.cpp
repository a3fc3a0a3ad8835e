#include "automation/storage/session_use_buffer.hpp"

#include <utility>
#include <vector>

namespace automation::storage {

Status SessionUseBuffer::record_session_use(std::string_view digest, UnixSeconds now) {
  const std::lock_guard lock(mutex_);
  auto [entry, inserted] = pending_.try_emplace(std::string(digest), now);
  if (!inserted && entry->second < now) entry->second = now;
  return {};
}

void SessionUseBuffer::overlay(Session& session) const {
  const std::lock_guard lock(mutex_);
  if (auto gathered = pending_.find(session.token_digest);
      gathered != pending_.end() && gathered->second > session.last_used_at) {
    session.last_used_at = gathered->second;
  }
}

Result<std::optional<ActiveSession>> SessionUseBuffer::find_session(std::string_view digest) {
  auto found = inner().find_session(digest);
  if (found && *found) overlay((*found)->session);
  return found;
}

Result<std::vector<Session>> SessionUseBuffer::list_user_sessions(std::int64_t user_id,
                                                                  UnixSeconds now) {
  auto sessions = inner().list_user_sessions(user_id, now);
  if (sessions) {
    for (Session& session : *sessions) overlay(session);
  }
  return sessions;
}

Status SessionUseBuffer::flush() {
  std::unordered_map<std::string, UnixSeconds> batch;
  {
    const std::lock_guard lock(mutex_);
    batch.swap(pending_);
  }
  if (batch.empty()) return {};
  std::vector<SessionUse> uses;
  uses.reserve(batch.size());
  for (auto& [digest, at] : batch) uses.push_back(SessionUse{digest, at});
  auto written = writer_.record_session_uses(uses);
  if (!written) {
    // Put them back, keeping any later use gathered meanwhile.
    const std::lock_guard lock(mutex_);
    for (auto& [digest, at] : batch) {
      auto [entry, inserted] = pending_.try_emplace(digest, at);
      if (!inserted && entry->second < at) entry->second = at;
    }
  }
  return written;
}

std::size_t SessionUseBuffer::pending() const {
  const std::lock_guard lock(mutex_);
  return pending_.size();
}

}  // namespace automation::storage
