#pragma once

// When sessions were last used (idle sessions, IEC 62443-4-2 CR 2.5), gathered in memory and
// written every few seconds in one transaction: a burst of key checks with many distinct
// keys costs one write, never one per request. This process sees the uses it recorded in
// the last two minutes on every lookup (find_session and list_user_sessions carry them),
// written or not, so a cached session whose copy is behind is not recorded again each
// request; other processes see a use once it is written.

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
  Result<std::optional<ActiveSession>> reread_session(std::string_view digest) override;
  Result<std::vector<Session>> list_user_sessions(std::int64_t user_id,
                                                  UnixSeconds now) override;

  // Writes the uses not written yet (periodically, and at shutdown); a failed write is
  // tried again at the next flush. Forgets written uses older than two minutes.
  Status flush();
  std::size_t pending() const;  // recorded uses not written yet

 private:
  struct RecordedUse {
    UnixSeconds at = 0;
    bool written = false;
  };
  // The later of the stored last use and a recorded one.
  void overlay(Session& session) const;

  SqlSessionStore& writer_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, RecordedUse> recent_;  // digest -> latest recorded use
};

}  // namespace automation::storage
