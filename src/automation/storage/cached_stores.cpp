#include "automation/storage/cached_stores.hpp"

#include <string>

#include "automation/core/text.hpp"

namespace automation::storage {

Result<std::optional<ActiveSession>> CachedSessionStore::find_session(std::string_view digest) {
  return cache_.get<ActiveSession>(cache_.sessions, std::string(digest),
                                   [&] { return inner().find_session(digest); });
}

Result<std::optional<User>> CachedUserStore::find_user_by_username(std::string_view username) {
  // Usernames are unique case-insensitively (ASCII folding, as the SQL lower() does).
  return cache_.get<User>(cache_.users, to_lower_ascii(username),
                          [&] { return inner_.find_user_by_username(username); });
}

Result<std::optional<Role>> CachedRoleStore::find_role(std::string_view name) {
  return cache_.get<Role>(cache_.roles, to_lower_ascii(name),
                          [&] { return inner_.find_role(name); });
}

Result<std::optional<TptRecord>> CachedTptStore::find_tpt(std::string_view jti) {
  return cache_.get<TptRecord>(cache_.tpts, std::string(jti),
                               [&] { return inner_.find_tpt(jti); });
}

}  // namespace automation::storage
