#pragma once

#include "automation/core/ports.hpp"
#include "automation/storage/listed_user_ids.hpp"

namespace automation::storage {

class Database;

// UserStore on PyAutomation's `users` table joined with `roles`. Usernames and emails are
// unique case-insensitively (compared with lower() on both sides); the case typed at
// signup is preserved. Text with NUL or invalid UTF-8 is refused on write
// (kInvalidArgument naming the field) and never matches on lookup.
class SqlUserStore final : public UserStore {
 public:
  // db must outlive the store.
  explicit SqlUserStore(Database& db) : db_(db) {}

  // Identifier and hash come from the caller. kAlreadyExists with field "username",
  // "email" or "identifier"; kNotFound when role_id names no role.
  Result<User> add_user(const NewUser& user) override;
  // Case-insensitive; when a PyAutomation database holds case-duplicates, the oldest wins.
  Result<std::optional<User>> find_user_by_username(std::string_view username) override;
  Result<std::optional<User>> find_user_by_email(std::string_view email) override;
  Result<std::optional<User>> find_user_by_identifier(std::string_view identifier) override;
  Result<std::optional<User>> find_user_by_id(std::int64_t id) override;
  // Page, total and version read in one snapshot; listed users carry no password hash.
  // offset < 0 counts as 0. Costs no more for the last page than for the first: pages are
  // found in the listed ids kept for the current listing version (read again, at the cost of
  // one scan of the ids, only after a change to the list).
  Result<UserPage> list_users(std::int64_t offset, std::int64_t limit) override;
  Result<UserPage> search_users(std::string_view text, std::int64_t offset,
                                std::int64_t limit) override;
  // The user_list_version counter, which triggers move on every change to the list.
  Result<std::optional<std::int64_t>> list_version() override;
  // kNotFound for an unknown user; kAlreadyExists (field "email") when another user has it.
  Result<User> update_profile(std::int64_t user_id, const UserEdit& edit) override;
  // kNotFound for an unknown user. With revocation.revoke, every other session of the
  // user ends in the same transaction (all of them when keep_digest is "").
  Status set_password_hash(std::int64_t user_id, std::string_view hash,
                           const SessionRevocation& revocation) override;
  // kNotFound for an unknown user or role.
  Status set_user_role(std::int64_t user_id, std::int64_t role_id) override;
  // kNotFound for an unknown user.
  Status delete_user(std::int64_t user_id) override;

 private:
  Database& db_;
  ListedUserIds listed_ids_;
};

}  // namespace automation::storage
