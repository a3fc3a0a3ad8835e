#include "automation/core/session_admin.hpp"

namespace automation {
namespace {

SessionSummary summary_of(const Session& session, const std::string& username) {
  return SessionSummary{session.id, username, session.created_at, session.expires_at};
}

std::unexpected<Error> session_not_found() {
  return fail(ErrorCode::kNotFound, "Session not found");
}

}  // namespace

Result<std::vector<SessionSummary>> SessionAdmin::list_sessions(std::string_view username) {
  auto user = users_.get_user(username);
  if (!user) return fail(user.error());
  auto sessions = sessions_.list_user_sessions(user->id, clock_.now());
  if (!sessions) return fail(sessions.error());
  std::vector<SessionSummary> out;
  out.reserve(sessions->size());
  for (const Session& session : *sessions) out.push_back(summary_of(session, user->username));
  return out;
}

Result<SessionSummary> SessionAdmin::revoke_session(std::string_view session_id,
                                                    std::optional<std::string_view> username) {
  std::optional<User> owner_wanted;
  if (username) {
    auto user = users_.get_user(*username);
    if (!user) return fail(user.error());
    owner_wanted = std::move(*user);
  }
  auto session = sessions_.find_session_by_id(session_id);
  if (!session) return fail(session.error());
  if (!*session || (owner_wanted && (*session)->user_id != owner_wanted->id)) {
    return session_not_found();
  }
  std::string owner_name;
  if (owner_wanted) {
    owner_name = owner_wanted->username;
  } else {
    auto owner = users_.get_user_by_id((*session)->user_id);
    if (!owner) return fail(owner.error());  // sessions go with their user, so not kNotFound
    owner_name = owner->username;
  }
  if (auto deleted = sessions_.delete_session((*session)->token_digest); !deleted) {
    return fail(deleted.error());
  }
  return summary_of(**session, owner_name);
}

Result<std::size_t> SessionAdmin::revoke_all_sessions(std::string_view username) {
  auto user = users_.get_user(username);
  if (!user) return fail(user.error());
  auto live = sessions_.list_user_sessions(user->id, clock_.now());
  if (!live) return fail(live.error());
  if (auto deleted = sessions_.delete_user_sessions(user->id); !deleted) {
    return fail(deleted.error());
  }
  return live->size();
}

}  // namespace automation
