#include "automation/core/session_admin.hpp"

namespace automation {
namespace {

SessionSummary summary_of(const Session& session, const std::string& username) {
  return SessionSummary{session.id,         username,
                        session.created_at, session.expires_at,
                        session.last_used_at, session.client_address};
}

std::unexpected<Error> session_not_found() {
  return fail(ErrorCode::kNotFound, "Session not found");
}

}  // namespace

Result<std::vector<SessionSummary>> SessionAdmin::list_sessions(std::string_view username) {
  auto user = users_.get_user(username);
  if (!user) return fail(user.error());
  return list_sessions(*user);
}

Result<std::vector<SessionSummary>> SessionAdmin::list_sessions(const User& user) {
  const UnixSeconds now = clock_.now();
  auto sessions = sessions_.list_user_sessions(user.id, now);
  if (!sessions) return fail(sessions.error());
  std::vector<SessionSummary> out;
  out.reserve(sessions->size());
  for (const Session& session : *sessions) {
    // An idle one is dead: its next use would end it (SessionService::resolve).
    if (session.is_idle(now, idle_seconds_)) continue;
    out.push_back(summary_of(session, user.username));
  }
  return out;
}

Result<SessionSummary> SessionAdmin::revoke_session(std::string_view session_id,
                                                    std::optional<std::string_view> username) {
  if (username) {
    auto user = users_.get_user(*username);
    if (!user) return fail(user.error());
    return revoke_session(*user, session_id);
  }
  auto session = sessions_.find_session_by_id(session_id);
  if (!session) return fail(session.error());
  if (!*session) return session_not_found();
  auto owner = users_.get_user_by_id((*session)->user_id);
  if (!owner) return fail(owner.error());  // sessions go with their user, so not kNotFound
  if (auto deleted = sessions_.delete_session((*session)->token_digest); !deleted) {
    return fail(deleted.error());
  }
  return summary_of(**session, owner->username);
}

Result<SessionSummary> SessionAdmin::revoke_session(const User& user,
                                                    std::string_view session_id) {
  auto session = sessions_.find_session_by_id(session_id);
  if (!session) return fail(session.error());
  // Another user's id is answered as an unknown one.
  if (!*session || (*session)->user_id != user.id) return session_not_found();
  if (auto deleted = sessions_.delete_session((*session)->token_digest); !deleted) {
    return fail(deleted.error());
  }
  return summary_of(**session, user.username);
}

Result<std::size_t> SessionAdmin::revoke_all_sessions(std::string_view username) {
  auto user = users_.get_user(username);
  if (!user) return fail(user.error());
  return revoke_all_sessions(*user);
}

Result<std::size_t> SessionAdmin::revoke_all_sessions(const User& user) {
  auto live = list_sessions(user);
  if (!live) return fail(live.error());
  if (auto deleted = sessions_.delete_user_sessions(user.id); !deleted) {
    return fail(deleted.error());
  }
  return live->size();
}

}  // namespace automation
