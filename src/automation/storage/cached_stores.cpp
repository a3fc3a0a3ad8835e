#include "automation/storage/cached_stores.hpp"

#include <algorithm>
#include <string>

#include "automation/core/text.hpp"

namespace automation::storage {

Result<std::optional<ActiveSession>> CachedSessionStore::find_session(std::string_view digest) {
  return cache_.get<ActiveSession>(cache_.sessions, std::string(digest),
                                   [&] { return inner().find_session(digest); });
}

namespace {

// A miss is remembered only for an ASCII name: there the database's lower() (which the
// feed's "username" entries carry) and to_lower_ascii agree on every engine, so the entry
// that must drop it has exactly its key. (Every new username is ASCII; others exist only in
// databases made by older versions.)
bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

Result<User> CachedUserStore::add_user(const NewUser& user) {
  auto added = inner_.add_user(user);
  if (added) cache_.forget_absent(cache_.unknown_usernames, to_lower_ascii(added->username));
  return added;
}

Result<std::optional<User>> CachedUserStore::find_user_by_username(std::string_view username) {
  // Usernames are unique case-insensitively (ASCII folding, as the SQL lower() does).
  return cache_.get<User>(cache_.users, to_lower_ascii(username),
                          [&] { return inner_.find_user_by_username(username); },
                          is_ascii(username) ? &cache_.unknown_usernames : nullptr);
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
