#pragma once

// A SessionStore that passes every call to another one: the base of decorators that change
// only a few calls (CachedSessionStore, SessionUseBuffer).

#include "automation/core/ports.hpp"

namespace automation::storage {

class ForwardingSessionStore : public SessionStore {
 public:
  explicit ForwardingSessionStore(SessionStore& inner) : inner_(inner) {}

  Status add_session(const Session& session) override { return inner_.add_session(session); }
  Status add_session_within_limit(const Session& session, int max_per_user) override {
    return inner_.add_session_within_limit(session, max_per_user);
  }
  Result<std::optional<ActiveSession>> find_session(std::string_view digest) override {
    return inner_.find_session(digest);
  }
  Result<std::optional<ActiveSession>> reread_session(std::string_view digest) override {
    return inner_.reread_session(digest);
  }
  Status delete_session(std::string_view digest) override { return inner_.delete_session(digest); }
  Result<std::vector<Session>> list_user_sessions(std::int64_t user_id,
                                                  UnixSeconds now) override {
    return inner_.list_user_sessions(user_id, now);
  }
  Result<std::optional<Session>> find_session_by_id(std::string_view session_id) override {
    return inner_.find_session_by_id(session_id);
  }
  Status delete_user_sessions(std::int64_t user_id) override {
    return inner_.delete_user_sessions(user_id);
  }
  Status delete_expired_sessions(UnixSeconds now) override {
    return inner_.delete_expired_sessions(now);
  }
  Status record_session_use(std::string_view digest, UnixSeconds now) override {
    return inner_.record_session_use(digest, now);
  }

 protected:
  SessionStore& inner() { return inner_; }

 private:
  SessionStore& inner_;
};

}  // namespace automation::storage
