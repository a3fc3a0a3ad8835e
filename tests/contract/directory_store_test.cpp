// The directory-managed accounts (migration 17, SqlDirectoryStore) on every engine: the
// record and its replacement, the sync's work list (users with live sessions only), and that
// a deleted user's record goes with the user and never passes to a later user.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/sql_directory_store.hpp"
#include "automation/storage/sql_session_store.hpp"
#include "user_stores_fixture.hpp"

namespace automation::storage {
namespace {

using contract::Backend;
using contract::TestDatabase;

class DirectoryStoreContract : public contract::UserStoresContract {
 protected:
  void SetUp() override {
    UserStoresContract::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    accounts_ = std::make_unique<SqlDirectoryStore>(env_->db());
  }

  void add_session(char c, const User& user, UnixSeconds expires_at) {
    Session session{std::string(64, c), user.id, 1000, expires_at, std::string(16, c)};
    ASSERT_TRUE(sessions_->add_session(session).has_value());
  }

  std::unique_ptr<SqlDirectoryStore> accounts_;
};

TEST_P(DirectoryStoreContract, ARecordIsSavedReplacedAndFound) {
  const User ana = add_user("ana");
  const User local = add_user("local");
  ASSERT_TRUE(accounts_->save_directory_account({ana.id, "uid=ana,ou=people", "", 0}).has_value());
  auto found = accounts_->find_directory_account(ana.id);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->dn, "uid=ana,ou=people");
  EXPECT_EQ((*found)->offline_hash, "");
  EXPECT_EQ((*found)->offline_until, 0);

  const std::string hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
  ASSERT_TRUE(
      accounts_->save_directory_account({ana.id, "uid=ana,ou=staff", hash, 5000}).has_value());
  found = accounts_->find_directory_account(ana.id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->dn, "uid=ana,ou=staff");
  EXPECT_EQ((*found)->offline_hash, hash);
  EXPECT_EQ((*found)->offline_until, 5000);

  auto none = accounts_->find_directory_account(local.id);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value()) << "a local account has no record";
}

TEST_P(DirectoryStoreContract, TheSyncListsDirectoryUsersWithLiveSessionsOnly) {
  const User live = add_user("live");
  const User expired = add_user("expired");
  const User idle = add_user("idle");  // no session at all
  const User local = add_user("local");
  for (const User* user : {&live, &expired, &idle}) {
    ASSERT_TRUE(
        accounts_->save_directory_account({user->id, "uid=" + user->username, "", 0}).has_value());
  }
  add_session('a', live, 0);
  add_session('b', live, 2000);
  add_session('c', expired, 1500);
  add_session('d', local, 0);
  auto members = accounts_->directory_members_with_sessions(1500);
  ASSERT_TRUE(members.has_value()) << members.error().message;
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ(members->front().user.username, "live");
  EXPECT_EQ(members->front().user.role.name, "operator");
  EXPECT_EQ(members->front().account.dn, "uid=live");
}

TEST_P(DirectoryStoreContract, ADeletedUsersRecordGoesWithTheUser) {
  const User ana = add_user("ana");
  ASSERT_TRUE(accounts_->save_directory_account({ana.id, "uid=ana", "", 0}).has_value());
  ASSERT_TRUE(users_->delete_user(ana.id).has_value());
  auto gone = accounts_->find_directory_account(ana.id);
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());
  // A user who gets the id again (SQLite may reuse it) is local.
  const User next = add_user("next");
  auto fresh = accounts_->find_directory_account(next.id);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_FALSE(fresh->has_value());
}

INSTANTIATE_TEST_SUITE_P(Engines, DirectoryStoreContract, contract::all_backends(),
                         contract::backend_name);

}  // namespace
}  // namespace automation::storage
