#pragma once

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
  SessionAdmin(UserService& users, SessionStore& sessions, Clock& clock)
      : users_(users), sessions_(sessions), clock_(clock) {}

  // The user's live sessions, oldest first. kNotFound for an unknown user.
  Result<std::vector<SessionSummary>> list_sessions(std::string_view username);
  // Ends the session with this id. With `username`, only a session of that user (another
  // user's id is kNotFound, as an unknown one). Returns the session ended, so the caller
  // can audit whose it was.
  Result<SessionSummary> revoke_session(std::string_view session_id,
                                        std::optional<std::string_view> username = std::nullopt);
  // Ends every session of the user; returns how many were live. kNotFound for an unknown user.
  Result<std::size_t> revoke_all_sessions(std::string_view username);

 private:
  UserService& users_;
  SessionStore& sessions_;
  Clock& clock_;
};

}  // namespace automation
