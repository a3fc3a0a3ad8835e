#include "automation/storage/session_use_buffer.hpp"

#include <algorithm>
#include <vector>

namespace automation::storage {

Status SessionUseBuffer::record_session_use(std::string_view digest, UnixSeconds now) {
  const std::lock_guard lock(mutex_);
  RecordedUse& use = recent_[std::string(digest)];
  if (use.at < now) use = RecordedUse{now, false};
  return {};
}

void SessionUseBuffer::overlay(Session& session) const {
  const std::lock_guard lock(mutex_);
  if (auto recorded = recent_.find(session.token_digest);
      recorded != recent_.end() && recorded->second.at > session.last_used_at) {
    session.last_used_at = recorded->second.at;
  }
}

Result<std::optional<ActiveSession>> SessionUseBuffer::find_session(std::string_view digest) {
  auto found = inner().find_session(digest);
  if (found && *found) overlay((*found)->session);
  return found;
}

Result<std::optional<ActiveSession>> SessionUseBuffer::reread_session(std::string_view digest) {
  auto found = inner().reread_session(digest);
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
  std::vector<SessionUse> uses;
  {
    const std::lock_guard lock(mutex_);
    UnixSeconds newest = 0;
    for (const auto& [digest, use] : recent_) newest = std::max(newest, use.at);
    // Older uses than this matter no more: a lookup's own copy is at most that far behind
    // before the next use is recorded anyway.
    const UnixSeconds forget_before = newest - 2 * kSessionUseResolution;
    for (auto it = recent_.begin(); it != recent_.end();) {
      if (it->second.written && it->second.at < forget_before) {
        it = recent_.erase(it);
        continue;
      }
      if (!it->second.written) uses.push_back(SessionUse{it->first, it->second.at});
      ++it;
    }
  }
  if (uses.empty()) return {};
  auto written = writer_.record_session_uses(uses);
  if (written) {
    const std::lock_guard lock(mutex_);
    for (const SessionUse& use : uses) {
      // A later use recorded meanwhile stays unwritten.
      if (auto it = recent_.find(use.digest); it != recent_.end() && it->second.at == use.at) {
        it->second.written = true;
      }
    }
  }
  return written;
}

std::size_t SessionUseBuffer::pending() const {
  const std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(
      recent_.begin(), recent_.end(), [](const auto& entry) { return !entry.second.written; }));
}

}  // namespace automation::storage
