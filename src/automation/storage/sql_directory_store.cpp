#include "automation/storage/sql_directory_store.hpp"

#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/user_row.hpp"

namespace automation::storage {
namespace {

struct AccountRow {
  long long user_id = 0;
  std::string dn, offline_hash;
  long long offline_until = 0;
  soci::indicator hash_ind = soci::i_ok;

  void bind(soci::statement& st) {
    st.exchange(soci::into(user_id));
    st.exchange(soci::into(dn));
    st.exchange(soci::into(offline_hash, hash_ind));
    st.exchange(soci::into(offline_until));
  }
  DirectoryAccount to_account() const {
    return DirectoryAccount{user_id, dn, hash_ind == soci::i_ok ? offline_hash : std::string(),
                            offline_until};
  }
};

struct MemberRow {
  UserRow user;
  AccountRow account;

  void bind(soci::statement& st) {
    user.bind(st);
    account.bind(st);
  }
};

}  // namespace

Result<std::optional<DirectoryAccount>> SqlDirectoryStore::find_directory_account(
    std::int64_t user_id) {
  return db_.transaction(
      TxMode::kRead, [&](soci::session& sql) -> Result<std::optional<DirectoryAccount>> {
        auto rows = query_rows<AccountRow>(
            sql,
            "SELECT user_id, dn, offline_hash, offline_until FROM directory_accounts"
            " WHERE user_id = :id",
            [](const AccountRow& row) { return row.to_account(); }, user_id);
        if (rows.empty()) return std::optional<DirectoryAccount>();
        return std::optional<DirectoryAccount>(std::move(rows.front()));
      });
}

Status SqlDirectoryStore::save_directory_account(const DirectoryAccount& account) {
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    const long long user_id = account.user_id;
    const long long until = account.offline_until;
    // Delete and insert: portable where upsert syntax differs (SQLite, PostgreSQL, MySQL).
    sql << "DELETE FROM directory_accounts WHERE user_id = :id", soci::use(user_id);
    sql << "INSERT INTO directory_accounts (user_id, dn, offline_hash, offline_until)"
           " VALUES (:id, :dn, :hash, :until)",
        soci::use(user_id), soci::use(account.dn), soci::use(account.offline_hash),
        soci::use(until);
    return {};
  });
}

Result<std::vector<DirectoryMember>> SqlDirectoryStore::directory_members_with_sessions(
    UnixSeconds now) {
  const long long at = now;
  return db_.transaction(
      TxMode::kRead, [&](soci::session& sql) -> Result<std::vector<DirectoryMember>> {
        return query_rows<MemberRow>(
            sql,
            "SELECT " + std::string(kUserColumns) +
                ", d.user_id, d.dn, d.offline_hash, d.offline_until" + std::string(kUserFrom) +
                " JOIN directory_accounts d ON d.user_id = u.id"
                " WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id"
                " AND (s.expires_at = 0 OR s.expires_at > :now)) ORDER BY u.id",
            [](const MemberRow& row) {
              return DirectoryMember{row.user.to_user(), row.account.to_account()};
            },
            at);
      });
}

}  // namespace automation::storage
