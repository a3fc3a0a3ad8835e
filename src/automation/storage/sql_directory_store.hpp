#pragma once

#include "automation/core/directory.hpp"

namespace automation::storage {

class Database;

// DirectoryAccountStore on the service's table directory_accounts (migration 17): one row per
// user the directory manages, with the DN and the kept offline hash. PyAutomation's users
// table stays as upstream creates it.
class SqlDirectoryStore final : public DirectoryAccountStore {
 public:
  // db must outlive the store.
  explicit SqlDirectoryStore(Database& db) : db_(db) {}

  Result<std::optional<DirectoryAccount>> find_directory_account(std::int64_t user_id) override;
  Status save_directory_account(const DirectoryAccount& account) override;
  Result<std::vector<DirectoryMember>> directory_members_with_sessions(UnixSeconds now) override;

 private:
  Database& db_;
};

}  // namespace automation::storage
