#pragma once

#include <cstdint>
#include <string_view>

#include "automation/core/password_rules.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/requests.hpp"
#include "automation/core/role_service.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// Users: signup with full validation, lookups, listing, edit, delete and role change.
// No authorization here (core/policy + AuthorizedApi do that).
class UserService {
 public:
  UserService(UserStore& store, RoleService& roles, PasswordHasher& hasher, RandomSource& random,
              Clock& clock, const CoreSettings& settings, const PasswordStrength& strength);

  // Every field check of signup (SPEC §2), merged into one kInvalidArgument error.
  // Cheap: no hashing, no database.
  Status validate_signup(const SignupRequest& request) const;
  // Validates, resolves the role (default guest; unknown: kInvalidArgument on role_name),
  // hashes the password and stores the user. The sudo role only when allow_sudo is set
  // (the command-line tool). Duplicates: kAlreadyExists naming the field.
  // `setter` says who chose the password (a first-login change may be demanded of the new
  // user when it was someone else).
  Result<User> signup(const SignupRequest& request, bool allow_sudo = false,
                      PasswordSetter setter = PasswordSetter::kSomeoneElse);
  // The steps of signup, for callers that authorize between them (AuthorizedApi):
  // the role the request names (default guest; unknown: kInvalidArgument on role_name),
  // then the user, from a request already validated, with that role.
  Result<Role> signup_role(const SignupRequest& request, bool allow_sudo = false);
  Result<User> create_user(const SignupRequest& request, const Role& role, PasswordSetter setter);

  // Lookups; kNotFound when absent. Keys that cannot name a user (NUL, control characters,
  // over-long) are simply not found: they never reach the database.
  Result<User> get_user(std::string_view username);
  Result<User> get_user_by_email(std::string_view email);
  Result<User> get_user_by_identifier(std::string_view identifier);
  Result<User> get_user_by_id(std::int64_t id);

  // Users without sudo ones; limit <= 0 means all.
  Result<UserPage> list_users(std::int64_t offset = 0, std::int64_t limit = 0);
  // UserStore::search_users; kInvalidArgument (field "search") for a text over 100 bytes.
  Result<UserPage> search_users(std::string_view text, std::int64_t offset, std::int64_t limit);
  // The store's list_version(): what a list rendered earlier may be reused for.
  Result<std::optional<std::int64_t>> list_version();
  // Edits email/name/lastname (an empty name/lastname clears it).
  Result<User> edit_user(std::string_view username, const UserEdit& edit);
  Status delete_user(std::string_view username);
  // Moves the user to the named role (sudo refused unless allow_sudo).
  Status update_user_role(std::string_view username, std::string_view role_name,
                          bool allow_sudo = false);

 private:
  static Status ensure_unused(std::string_view field, const Result<std::optional<User>>& found,
                              std::string_view value);

  UserStore& store_;
  RoleService& roles_;
  PasswordHasher& hasher_;
  RandomSource& random_;
  Clock& clock_;
  const CoreSettings& settings_;
  const PasswordStrength& strength_;
};

// True when key could name a stored user: bounded, no NUL or control characters.
bool is_plausible_lookup_key(std::string_view key);

}  // namespace automation
