#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/ports.hpp"
#include "automation/core/user_service.hpp"

namespace automation {

// Listing and revoking a user's sessions by their public ids, for an administrator (the
// command-line tool; the HTTP API's /api/users/<username>/sessions after its own
// authorization). No authorization and no audit here: callers decide who may and record it.
// Nothing returned carries a key or a key's digest.
class SessionAdmin {
 public:
  // idle_seconds: CoreSettings::session_idle_seconds (sessions idle that long are not live).
  SessionAdmin(UserService& users, SessionStore& sessions, Clock& clock,
               std::int64_t idle_seconds)
      : users_(users), sessions_(sessions), clock_(clock), idle_seconds_(idle_seconds) {}

  // The user's live sessions, oldest first. kNotFound for an unknown user.
  Result<std::vector<SessionSummary>> list_sessions(std::string_view username);
  // Ends the session with this id. With `username`, only a session of that user (another
  // user's id is kNotFound, as an unknown one). Returns the session ended, so the caller
  // can audit whose it was.
  Result<SessionSummary> revoke_session(std::string_view session_id,
                                        std::optional<std::string_view> username = std::nullopt);
  // Ends every session of the user; returns how many were live. kNotFound for an unknown user.
  Result<std::size_t> revoke_all_sessions(std::string_view username);
  // The same for a user already looked up (and authorized) by the caller.
  Result<std::vector<SessionSummary>> list_sessions(const User& user);
  Result<SessionSummary> revoke_session(const User& user, std::string_view session_id);
  Result<std::size_t> revoke_all_sessions(const User& user);

 private:
  UserService& users_;
  SessionStore& sessions_;
  Clock& clock_;
  std::int64_t idle_seconds_;
};

}  // namespace automation
