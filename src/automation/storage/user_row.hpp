#pragma once

// Internal to the storage layer: how a User (joined with its Role) is read, shared by the
// user and session stores so both map NULLs from PyAutomation databases the same way.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/model.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/soci_support.hpp"

namespace automation::storage {

// Columns UserRow::bind expects, in order; the query must join `users u` and `roles r`.
inline constexpr std::string_view kUserColumns =
    "u.id, u.identifier, u.username, u.email, u.password, u.name, u.lastname,"
    " r.id, r.identifier, r.name, r.level";
// The same columns for lists: the password hash is not read (no list shows it), an empty
// text stands in its place, so listed users carry an empty password_hash.
inline constexpr std::string_view kListedUserColumns =
    "u.id, u.identifier, u.username, u.email, '', u.name, u.lastname,"
    " r.id, r.identifier, r.name, r.level";
// FROM clause for a user query.
inline constexpr std::string_view kUserFrom = " FROM users u JOIN roles r ON r.id = u.role_id";

// Receiving buffers for one row of kUserColumns. Every text column has an indicator:
// PyAutomation databases may hold NULL email/name/lastname; a NULL email reads as "",
// a NULL name/lastname as nullopt.
class UserRow {
 public:
  // Registers the into-elements on a statement being built, in kUserColumns order.
  void bind(soci::statement& st);
  // The user in the buffers after a fetch.
  User to_user() const;

 private:
  long long id_ = 0;
  std::string identifier_, username_, email_, password_, name_, lastname_;
  long long role_id_ = 0;
  std::string role_identifier_, role_name_;
  int role_level_ = 0;
  soci::indicator identifier_ind_ = soci::i_ok, username_ind_ = soci::i_ok,
                  email_ind_ = soci::i_ok, password_ind_ = soci::i_ok, name_ind_ = soci::i_ok,
                  lastname_ind_ = soci::i_ok, role_identifier_ind_ = soci::i_ok,
                  role_name_ind_ = soci::i_ok;
};

// Runs `query` (selecting kUserColumns first) with params bound by position, and returns
// every row.
template <typename... Params>
std::vector<User> query_users(soci::session& sql, const std::string& query,
                              const Params&... params) {
  return query_rows<UserRow>(sql, query, [](UserRow& row) { return row.to_user(); }, params...);
}

// First row of query_users, if any.
template <typename... Params>
std::optional<User> query_user(soci::session& sql, const std::string& query,
                               const Params&... params) {
  std::vector<User> users = query_users(sql, query + " LIMIT 1", params...);
  if (users.empty()) return std::nullopt;
  return std::move(users.front());
}

}  // namespace automation::storage
