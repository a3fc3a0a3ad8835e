#pragma once

// When sessions were last used (idle sessions, IEC 62443-4-2 CR 2.5), gathered in memory and
// written every few seconds in one transaction: a burst of key checks with many distinct
// keys costs one write, never one per request. Until written, this process still sees
// the uses it gathered (find_session and list_user_sessions carry them); other processes
// see them once flushed, which the README's idle-session note bounds by the flush interval.

#include <mutex>
#include <string>
#include <unordered_map>

#include "automation/storage/forwarding_session_store.hpp"
#include "automation/storage/sql_session_store.hpp"

namespace automation::storage {

class SessionUseBuffer final : public ForwardingSessionStore {
 public:
  // `inner` answers everything else (the cached store, or `writer` itself); `writer` writes
  // the gathered uses. Both must outlive the buffer.
  SessionUseBuffer(SessionStore& inner, SqlSessionStore& writer)
      : ForwardingSessionStore(inner), writer_(writer) {}

  Status record_session_use(std::string_view digest, UnixSeconds now) override;
  Result<std::optional<ActiveSession>> find_session(std::string_view digest) override;
  Result<std::vector<Session>> list_user_sessions(std::int64_t user_id,
                                                  UnixSeconds now) override;

  // Writes what was gathered since the last flush (periodically, and at shutdown). What a
  // failed write held is kept for the next flush.
  Status flush();
  std::size_t pending() const;

 private:
  // The later of the stored last use and a gathered one.
  void overlay(Session& session) const;

  SqlSessionStore& writer_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, UnixSeconds> pending_;  // digest -> latest use
};

}  // namespace automation::storage
