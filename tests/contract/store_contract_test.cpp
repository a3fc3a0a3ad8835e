// The store contract: what every implementation of the core's store ports must do,
// checked against a real database. Instantiated for SQLite, and for PostgreSQL when a
// test server is configured (see test_database.hpp).

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "automation/core/ports.hpp"
#include "automation/crypto/hmac_authenticator.hpp"
#include "automation/storage/cached_stores.hpp"
#include "automation/storage/change_feed.hpp"
#include "automation/storage/database.hpp"
#include "automation/storage/dialect.hpp"
#include "automation/storage/lookup_cache.hpp"
#include "automation/storage/migrations.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/sql_audit_store.hpp"
#include "automation/storage/sql_password_store.hpp"
#include "automation/storage/sql_role_store.hpp"
#include "automation/storage/session_use_buffer.hpp"
#include "automation/storage/sql_session_store.hpp"
#include "automation/storage/sql_settings_store.hpp"
#include "automation/storage/sql_throttle_store.hpp"
#include "automation/storage/sql_tpt_store.hpp"
#include "automation/storage/sql_user_store.hpp"
#include "automation/storage/soci_support.hpp"
#include "test_database.hpp"

namespace automation::storage {
namespace {

using contract::Backend;
using contract::TestDatabase;

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = GetParam().make();
    if (!env_) GTEST_SKIP() << GetParam().skip_reason;
    Database& db = env_->db();
    roles_ = std::make_unique<SqlRoleStore>(db);
    users_ = std::make_unique<SqlUserStore>(db);
    sessions_ = std::make_unique<SqlSessionStore>(db);
    tpts_ = std::make_unique<SqlTptStore>(db);
    throttle_ = std::make_unique<SqlThrottleStore>(db);
    audit_ = std::make_unique<SqlAuditStore>(db, audit_key_);
    settings_ = std::make_unique<SqlSettingsStore>(db);
    passwords_ = std::make_unique<SqlPasswordStore>(db);
    sudo_ = add_role("sudo", 0);
    admin_ = add_role("admin", 1);
    operator_ = add_role("operator", 10);
    guest_ = add_role("guest", 256);
  }

  Role add_role(const std::string& name, int level) {
    Role role{0, "role" + std::to_string(next_id_++) + "00000000", name, level};
    auto added = roles_->add_role(role);
    EXPECT_TRUE(added.has_value()) << (added ? "" : added.error().message);
    return added.value_or(Role{});
  }

  NewUser new_user(const std::string& username, const std::string& email, const Role& role) {
    NewUser user;
    user.identifier = "id" + std::to_string(next_id_++) + "abcdef0123456789";
    user.username = username;
    user.email = email;
    user.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    user.role_id = role.id;
    return user;
  }

  User add_user(const std::string& username, const Role& role) {
    auto added = users_->add_user(new_user(username, username + "@example.com", role));
    EXPECT_TRUE(added.has_value()) << (added ? "" : added.error().message);
    return added.value_or(User{});
  }

  Session add_session(const std::string& digest, const User& user, UnixSeconds expires_at = 0) {
    Session session{digest, user.id, 1000, expires_at, ""};  // no id, as before migration 5
    auto added = sessions_->add_session(session);
    EXPECT_TRUE(added.has_value()) << (added ? "" : added.error().message);
    return session;
  }

  bool session_exists(const std::string& digest) {
    auto found = sessions_->find_session(digest);
    EXPECT_TRUE(found.has_value());
    return found && found->has_value();
  }

  std::int64_t user_total() {
    auto page = users_->list_users(0, 0);
    EXPECT_TRUE(page.has_value());
    return page ? page->total : -1;
  }

  static std::string digest(char c) { return std::string(64, c); }
  Database& database() { return env_->db(); }

  std::unique_ptr<TestDatabase> env_;
  std::unique_ptr<SqlRoleStore> roles_;
  std::unique_ptr<SqlUserStore> users_;
  std::unique_ptr<SqlSessionStore> sessions_;
  std::unique_ptr<SqlTptStore> tpts_;
  std::unique_ptr<SqlThrottleStore> throttle_;
  crypto::HmacSha256Authenticator audit_key_{std::string(32, 'k')};
  std::unique_ptr<SqlAuditStore> audit_;
  std::unique_ptr<SqlSettingsStore> settings_;
  std::unique_ptr<SqlPasswordStore> passwords_;
  Role sudo_, admin_, operator_, guest_;
  int next_id_ = 1;
};

// ---------------------------------------------------------------- migrations

TEST_P(StoreContract, MigrationsLeaveTheLatestVersion) {
  auto version = current_schema_version(env_->db());
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(*version, latest_schema_version());
  auto indexes = ensure_case_insensitive_indexes(env_->db());
  ASSERT_TRUE(indexes.has_value());
  EXPECT_EQ(*indexes, 3);
}

TEST_P(StoreContract, MigratingAgainIsANoOp) {
  add_user("keeper", admin_);
  ASSERT_TRUE(migrate(env_->db()).has_value());
  auto again = env_->open_again();
  ASSERT_TRUE(again.has_value()) << again.error().message;
  auto version = current_schema_version(**again);
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(*version, latest_schema_version());
  SqlUserStore other(**again);
  auto found = other.find_user_by_username("keeper");
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->has_value());
  EXPECT_EQ(user_total(), 1);
}

TEST_P(StoreContract, SeveralOpenersAtOnceAllSucceed) {
  constexpr int kOpeners = 4;
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&] {
      if (env_->open_again()) ++opened;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(opened.load(), kOpeners);
}

// ---------------------------------------------------------------- roles

TEST_P(StoreContract, RolesAreFoundCaseInsensitivelyAndListedInCreationOrder) {
  auto found = roles_->find_role("ADMIN");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "admin");
  EXPECT_EQ((*found)->level, 1);
  EXPECT_EQ((*found)->id, admin_.id);
  EXPECT_EQ((*found)->identifier, admin_.identifier);

  auto missing = roles_->find_role("nobody");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());

  // Neither by level nor by name: as upstream lists them (GET /api/users/roles/).
  add_role("Zeta", 100);
  add_role("alpha", 5);
  auto all = roles_->list_roles();
  ASSERT_TRUE(all.has_value());
  std::vector<std::string> names;
  for (const Role& r : *all) names.push_back(r.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"sudo", "admin", "operator", "guest", "Zeta", "alpha"}));
}

TEST_P(StoreContract, DuplicateRoleNameInAnyCaseIsRejected) {
  Role role{0, "ffff0000ffff0000", "AdMiN", 5};
  auto added = roles_->add_role(role);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(added.error().fields.contains("name"));
  auto all = roles_->list_roles();
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 4u);
}

TEST_P(StoreContract, DuplicateRoleIdentifierIsRejected) {
  Role role{0, admin_.identifier, "maintainer", 5};
  auto added = roles_->add_role(role);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(added.error().fields.contains("identifier"));
}

// ---------------------------------------------------------------- users

TEST_P(StoreContract, UserIsFoundByEveryKey) {
  NewUser input = new_user("John_Doe", "John@Example.com", admin_);
  input.name = "John";
  auto added = users_->add_user(input);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_GT(added->id, 0);
  EXPECT_EQ(added->username, "John_Doe");  // case preserved
  EXPECT_EQ(added->email, "John@Example.com");
  EXPECT_EQ(added->identifier, input.identifier);
  EXPECT_EQ(added->password_hash, input.password_hash);
  EXPECT_EQ(added->role.name, "admin");
  EXPECT_EQ(added->role.level, 1);
  EXPECT_EQ(added->name, std::optional<std::string>("John"));
  EXPECT_EQ(added->lastname, std::nullopt);

  for (auto found : {users_->find_user_by_username("john_doe"),
                     users_->find_user_by_username("JOHN_DOE"),
                     users_->find_user_by_email("john@example.COM"),
                     users_->find_user_by_identifier(input.identifier),
                     users_->find_user_by_id(added->id)}) {
    ASSERT_TRUE(found.has_value());
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->id, added->id);
    EXPECT_EQ((*found)->username, "John_Doe");
    EXPECT_EQ((*found)->role.id, admin_.id);
  }
  for (auto missing : {users_->find_user_by_username("john"),
                       users_->find_user_by_email("john@example.org"),
                       users_->find_user_by_identifier("ID" + input.identifier.substr(2)),
                       users_->find_user_by_id(added->id + 1000)}) {
    ASSERT_TRUE(missing.has_value());
    EXPECT_FALSE(missing->has_value());
  }
}

TEST_P(StoreContract, DuplicateUsernameInAnyCaseIsRejectedAndNothingChanges) {
  add_user("alice", operator_);
  auto added = users_->add_user(new_user("ALICE", "other@example.com", operator_));
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(added.error().fields.contains("username"));
  EXPECT_EQ(user_total(), 1);
  auto other = users_->find_user_by_email("other@example.com");
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE(other->has_value());
}

TEST_P(StoreContract, DuplicateEmailInAnyCaseIsRejectedAndNothingChanges) {
  add_user("alice", operator_);
  auto added = users_->add_user(new_user("bob", "ALICE@example.com", operator_));
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(added.error().fields.contains("email"));
  EXPECT_FALSE(added.error().fields.contains("username"));
  EXPECT_EQ(user_total(), 1);
  auto bob = users_->find_user_by_username("bob");
  ASSERT_TRUE(bob.has_value());
  EXPECT_FALSE(bob->has_value());
}

TEST_P(StoreContract, DuplicateUserIdentifierIsRejected) {
  User alice = add_user("alice", operator_);
  NewUser input = new_user("bob", "bob@example.com", operator_);
  input.identifier = alice.identifier;
  auto added = users_->add_user(input);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(added.error().fields.contains("identifier"));
  EXPECT_EQ(user_total(), 1);
}

TEST_P(StoreContract, UserWithUnknownRoleIsNotFound) {
  auto added = users_->add_user(new_user("carol", "carol@example.com", Role{9999, "", "x", 5}));
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(user_total(), 0);
}

TEST_P(StoreContract, ConcurrentSignupsWithOneNameLetExactlyOneWin) {
  constexpr int kRacers = 8;
  std::vector<std::thread> threads;
  std::atomic<int> won{0}, duplicate{0};
  for (int i = 0; i < kRacers; ++i) {
    NewUser input = new_user(i % 2 == 0 ? "racer" : "RACER",
                             "racer" + std::to_string(i) + "@example.com", guest_);
    threads.emplace_back([this, input, &won, &duplicate] {
      auto added = users_->add_user(input);
      if (added) {
        ++won;
      } else if (added.error().code == ErrorCode::kAlreadyExists &&
                 added.error().fields.contains("username")) {
        ++duplicate;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(duplicate.load(), kRacers - 1);
  EXPECT_EQ(user_total(), 1);
}

TEST_P(StoreContract, ListUsersLeavesOutSudoAndPaginatesById) {
  add_user("system", sudo_);
  std::vector<std::int64_t> ids;
  for (const char* name : {"u1", "u2", "u3", "u4", "u5"}) {
    ids.push_back(add_user(name, name[1] == '3' ? admin_ : guest_).id);
  }
  add_user("root2", sudo_);

  auto all = users_->list_users(0, 0);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->total, 5);
  ASSERT_EQ(all->users.size(), 5u);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(all->users[i].id, ids[i]);

  auto first = users_->list_users(0, 2);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->total, 5);
  ASSERT_EQ(first->users.size(), 2u);
  EXPECT_EQ(first->users[0].username, "u1");
  EXPECT_EQ(first->users[1].username, "u2");

  auto last = users_->list_users(4, 2);
  ASSERT_TRUE(last.has_value());
  ASSERT_EQ(last->users.size(), 1u);
  EXPECT_EQ(last->users[0].username, "u5");

  auto beyond = users_->list_users(10, 2);
  ASSERT_TRUE(beyond.has_value());
  EXPECT_TRUE(beyond->users.empty());
  EXPECT_EQ(beyond->total, 5);

  auto rest = users_->list_users(3, 0);  // offset without a limit
  ASSERT_TRUE(rest.has_value());
  ASSERT_EQ(rest->users.size(), 2u);
  EXPECT_EQ(rest->users[0].username, "u4");
}

std::int64_t list_version(UserStore& users) {
  auto version = users.list_version();
  EXPECT_TRUE(version.has_value() && version->has_value());
  return version && *version ? **version : -1;
}

std::vector<std::string> listed_names(const Result<UserPage>& page) {
  std::vector<std::string> names;
  if (page) {
    for (const User& user : page->users) names.push_back(user.username);
  }
  return names;
}

// The console's user search (issue 23): any of four fields, any case, literally, sudo left out,
// paged by id with the total of all matches.
TEST_P(StoreContract, SearchFindsUsersByAnyNameOrEmailInAnyCaseLiterally) {
  add_user("root_search", sudo_);  // sudo: never found
  add_user("Ana.Lopez", guest_);
  const User bob = add_user("bob", admin_);
  const User ann = add_user("annex_1", guest_);
  add_user("zed", guest_);
  ASSERT_TRUE(users_->update_profile(bob.id, UserEdit{"BOB@Plant.Example", "Roberto", "Ananias"}));
  ASSERT_TRUE(users_->update_profile(ann.id, UserEdit{std::nullopt, std::nullopt, "100%_sure"}));
  const auto found = [&](std::string_view text, std::int64_t offset = 0, std::int64_t limit = 10) {
    return listed_names(users_->search_users(text, offset, limit));
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(found("AN"), (Names{"Ana.Lopez", "bob", "annex_1"})) << "username, lastname, username";
  EXPECT_EQ(found("plant.EXAMPLE"), (Names{"bob"})) << "e-mail";
  EXPECT_EQ(found("robert"), (Names{"bob"})) << "name";
  EXPECT_EQ(found("root"), (Names{})) << "sudo accounts are never found";
  EXPECT_EQ(found("%"), (Names{"annex_1"})) << "a wildcard is a character";
  EXPECT_EQ(found("0%_"), (Names{"annex_1"}));
  EXPECT_EQ(found("x_1"), (Names{"annex_1"}));
  EXPECT_EQ(found("a_l"), (Names{})) << "'_' matches only itself";
  EXPECT_EQ(found("!"), (Names{}));
  EXPECT_EQ(found("nobody"), (Names{}));
  EXPECT_EQ(found("an", 1, 1), (Names{"bob"})) << "paged by id";
  auto page = users_->search_users("an", 2, 5);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->total, 3);
  EXPECT_EQ(listed_names(page), (Names{"annex_1"}));
  auto beyond = users_->search_users("an", 10, 5);
  ASSERT_TRUE(beyond.has_value());
  EXPECT_EQ(beyond->total, 3);
  EXPECT_TRUE(beyond->users.empty());
  EXPECT_EQ(found("example").size(), 4u) << "everyone's e-mail";
}

TEST_P(StoreContract, ListVersionMovesWithEveryChangeToTheListButNotWithPasswords) {
  std::int64_t version = list_version(*users_);
  auto moved = [&] {
    const std::int64_t now = list_version(*users_);
    const bool changed = now != version;
    version = now;
    return changed;
  };
  User alice = add_user("alice", operator_);
  EXPECT_TRUE(moved()) << "add_user";
  ASSERT_TRUE(users_->update_profile(alice.id, UserEdit{std::nullopt, "Alice", std::nullopt}));
  EXPECT_TRUE(moved()) << "update_profile";
  ASSERT_TRUE(users_->set_user_role(alice.id, guest_.id));
  EXPECT_TRUE(moved()) << "set_user_role";
  ASSERT_TRUE(users_->set_password_hash(alice.id, "another-hash", SessionRevocation{}));
  EXPECT_FALSE(moved()) << "set_password_hash";
  add_session(digest('a'), alice);
  EXPECT_FALSE(moved()) << "add_session";
  add_role("maintainer", 5);
  EXPECT_TRUE(moved()) << "add_role";
  ASSERT_TRUE(database().transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    sql << "UPDATE roles SET level = 0 WHERE id = :id", soci::use(guest_.id);
    return {};
  }));
  EXPECT_TRUE(moved()) << "a role's level changed outside the store";
  ASSERT_TRUE(users_->delete_user(alice.id));
  EXPECT_TRUE(moved()) << "delete_user";
}

TEST_P(StoreContract, ListUsersFollowsChangesMadeByAnotherStoreOrOutsideIt) {
  for (const char* name : {"u1", "u2", "u3", "u4", "u5"}) add_user(name, operator_);
  SqlUserStore other(database());  // another process, as far as the kept ids are concerned
  auto before = users_->list_users(2, 2);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(listed_names(before), (std::vector<std::string>{"u3", "u4"}));
  EXPECT_EQ(before->total, 5);
  EXPECT_EQ(before->version, std::optional<std::int64_t>(list_version(*users_)));

  auto u2 = other.find_user_by_username("u2");
  ASSERT_TRUE(u2 && *u2);
  ASSERT_TRUE(other.delete_user((*u2)->id));
  ASSERT_TRUE(other.add_user(new_user("u6", "u6@example.com", operator_)));
  auto after = users_->list_users(2, 2);
  EXPECT_EQ(listed_names(after), (std::vector<std::string>{"u4", "u5"}));
  EXPECT_EQ(after->total, 5);

  // A role leaving the list (level 0) takes its users along, even when changed in plain SQL.
  ASSERT_TRUE(database().transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    sql << "UPDATE users SET role_id = :sudo WHERE username = 'u4'", soci::use(sudo_.id);
    sql << "UPDATE users SET name = 'Five' WHERE username = 'u5'";
    return {};
  }));
  auto last = users_->list_users(0, 0);
  EXPECT_EQ(listed_names(last), (std::vector<std::string>{"u1", "u3", "u5", "u6"}));
  ASSERT_EQ(last->users.size(), 4u);
  EXPECT_EQ(last->users[2].name, std::optional<std::string>("Five"));
  EXPECT_EQ(users_->list_users(3, 10)->total, 4);
  EXPECT_EQ(listed_names(users_->list_users(3, 10)), (std::vector<std::string>{"u6"}));
}

TEST_P(StoreContract, ListedUsersCarryNoPasswordHash) {
  add_user("alice", operator_);
  auto page = users_->list_users(0, 0);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->users.size(), 1u);
  EXPECT_EQ(page->users[0].password_hash, "");
  EXPECT_NE((*users_->find_user_by_username("alice"))->password_hash, "");
}

TEST_P(StoreContract, KeptSessionLookupSeesEveryCommittedChange) {
  // The lookup statement is prepared once per connection and reused: it must neither answer
  // from an old snapshot nor keep one open that would stop the connection from writing.
  User alice = add_user("alice", operator_);
  for (int round = 0; round < 3; ++round) {
    add_session(digest('a'), alice);
    for (std::size_t i = 0; i < 2 * database().pool_size(); ++i) {
      EXPECT_TRUE(session_exists(digest('a')));  // every pooled connection keeps one
    }
    SqlSessionStore other(database());
    ASSERT_TRUE(other.delete_session(digest('a')));
    for (std::size_t i = 0; i < 2 * database().pool_size(); ++i) {
      EXPECT_FALSE(session_exists(digest('a')));
    }
  }
  EXPECT_FALSE(session_exists(digest('b')));
}

TEST_P(StoreContract, UpdateProfileChangesOnlyTheGivenFields) {
  User alice = add_user("alice", operator_);
  add_user("bob", operator_);

  auto named = users_->update_profile(alice.id, UserEdit{std::nullopt, "Alice", std::nullopt});
  ASSERT_TRUE(named.has_value()) << named.error().message;
  EXPECT_EQ(named->name, std::optional<std::string>("Alice"));
  EXPECT_EQ(named->lastname, std::nullopt);
  EXPECT_EQ(named->email, "alice@example.com");

  auto recased = users_->update_profile(alice.id, UserEdit{"ALICE@example.com", {}, "Liddell"});
  ASSERT_TRUE(recased.has_value()) << recased.error().message;  // her own email, new case
  EXPECT_EQ(recased->email, "ALICE@example.com");
  EXPECT_EQ(recased->lastname, std::optional<std::string>("Liddell"));
  EXPECT_EQ(recased->name, std::optional<std::string>("Alice"));

  auto taken = users_->update_profile(alice.id, UserEdit{"Bob@Example.com", "X", {}});
  ASSERT_FALSE(taken.has_value());
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(taken.error().fields.contains("email"));
  auto unchanged = users_->find_user_by_id(alice.id);
  ASSERT_TRUE(unchanged.has_value() && unchanged->has_value());
  EXPECT_EQ((*unchanged)->email, "ALICE@example.com");
  EXPECT_EQ((*unchanged)->name, std::optional<std::string>("Alice"));  // rolled back too

  auto unknown = users_->update_profile(alice.id + 1000, UserEdit{{}, "Nobody", {}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, PasswordChangeRevokesTheOtherSessionsAtomically) {
  User alice = add_user("alice", operator_);
  User bob = add_user("bob", operator_);
  add_session(digest('a'), alice);
  add_session(digest('b'), alice);
  add_session(digest('c'), alice);
  add_session(digest('d'), bob);

  ASSERT_TRUE(users_->set_password_hash(alice.id, "hash-1", SessionRevocation{}).has_value());
  EXPECT_TRUE(session_exists(digest('b')));  // no revocation asked

  ASSERT_TRUE(users_->set_password_hash(alice.id, "hash-2", SessionRevocation{true, digest('a')})
                  .has_value());
  EXPECT_TRUE(session_exists(digest('a')));
  EXPECT_FALSE(session_exists(digest('b')));
  EXPECT_FALSE(session_exists(digest('c')));
  EXPECT_TRUE(session_exists(digest('d')));
  auto stored = users_->find_user_by_id(alice.id);
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ((*stored)->password_hash, "hash-2");

  ASSERT_TRUE(users_->set_password_hash(alice.id, "hash-3", SessionRevocation{true, ""})
                  .has_value());
  EXPECT_FALSE(session_exists(digest('a')));
  EXPECT_TRUE(session_exists(digest('d')));

  auto unknown = users_->set_password_hash(bob.id + 1000, "x", SessionRevocation{true, ""});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(session_exists(digest('d')));
}

TEST_P(StoreContract, SetUserRoleChecksBothSides) {
  User alice = add_user("alice", guest_);
  ASSERT_TRUE(users_->set_user_role(alice.id, admin_.id).has_value());
  auto stored = users_->find_user_by_id(alice.id);
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ((*stored)->role.name, "admin");

  auto no_role = users_->set_user_role(alice.id, 9999);
  ASSERT_FALSE(no_role.has_value());
  EXPECT_EQ(no_role.error().code, ErrorCode::kNotFound);
  auto no_user = users_->set_user_role(alice.id + 1000, guest_.id);
  ASSERT_FALSE(no_user.has_value());
  EXPECT_EQ(no_user.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, DeleteUserTakesTheirSessionsAlong) {
  User alice = add_user("alice", operator_);
  User bob = add_user("bob", operator_);
  add_session(digest('a'), alice);
  add_session(digest('b'), bob);
  ASSERT_TRUE(users_->delete_user(alice.id).has_value());
  auto gone = users_->find_user_by_username("alice");
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());
  EXPECT_FALSE(session_exists(digest('a')));
  EXPECT_TRUE(session_exists(digest('b')));
  auto again = users_->delete_user(alice.id);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

// ---------------------------------------------------------------- sessions

TEST_P(StoreContract, SessionIsFoundWithItsUserAndRole) {
  User alice = add_user("alice", operator_);
  Session session{digest('a'), alice.id, 1700000000, 1700086400, "s-a"};
  ASSERT_TRUE(sessions_->add_session(session).has_value());
  auto found = sessions_->find_session(digest('a'));
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  const ActiveSession& active = **found;
  EXPECT_EQ(active.session.token_digest, digest('a'));
  EXPECT_EQ(active.session.user_id, alice.id);
  EXPECT_EQ(active.session.created_at, 1700000000);
  EXPECT_EQ(active.session.expires_at, 1700086400);
  EXPECT_EQ(active.user.username, "alice");
  EXPECT_EQ(active.user.role.name, "operator");
  EXPECT_EQ(active.user.role.level, 10);

  // No caching: a role change is visible at the next lookup.
  ASSERT_TRUE(users_->set_user_role(alice.id, admin_.id).has_value());
  auto after = sessions_->find_session(digest('a'));
  ASSERT_TRUE(after.has_value() && after->has_value());
  EXPECT_EQ((*after)->user.role.level, 1);

  auto missing = sessions_->find_session(digest('z'));
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreContract, DuplicateDigestOrUnknownUserIsRefused) {
  User alice = add_user("alice", operator_);
  add_session(digest('a'), alice);
  auto duplicate = sessions_->add_session(Session{digest('a'), alice.id, 5, 0, ""});
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(duplicate.error().fields.contains("token_digest"));
  auto found = sessions_->find_session(digest('a'));
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->session.created_at, 1000);  // the first one is intact

  auto orphan = sessions_->add_session(Session{digest('o'), alice.id + 1000, 5, 0, ""});
  ASSERT_FALSE(orphan.has_value());
  EXPECT_EQ(orphan.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(session_exists(digest('o')));
}

TEST_P(StoreContract, DeletingSessionsEndsExactlyTheNamedOnes) {
  User alice = add_user("alice", operator_);
  User bob = add_user("bob", operator_);
  add_session(digest('a'), alice);
  add_session(digest('b'), alice);
  add_session(digest('c'), bob);

  ASSERT_TRUE(sessions_->delete_session(digest('a')).has_value());
  ASSERT_TRUE(sessions_->delete_session(digest('a')).has_value());  // idempotent
  EXPECT_FALSE(session_exists(digest('a')));
  EXPECT_TRUE(session_exists(digest('b')));

  ASSERT_TRUE(sessions_->delete_user_sessions(alice.id).has_value());
  EXPECT_FALSE(session_exists(digest('b')));
  EXPECT_TRUE(session_exists(digest('c')));
}

TEST_P(StoreContract, ExpiredSessionsAreSweptButNeverExpiringOnesStay) {
  User alice = add_user("alice", operator_);
  add_session(digest('n'), alice, 0);
  add_session(digest('p'), alice, 99);
  add_session(digest('e'), alice, 100);
  add_session(digest('f'), alice, 101);
  ASSERT_TRUE(sessions_->delete_expired_sessions(100).has_value());
  EXPECT_TRUE(session_exists(digest('n')));
  EXPECT_FALSE(session_exists(digest('p')));
  EXPECT_FALSE(session_exists(digest('e')));
  EXPECT_TRUE(session_exists(digest('f')));
}

TEST_P(StoreContract, SessionsAreListedPerUserLiveOnlyOldestFirstWithTheirIds) {
  User alice = add_user("alice", operator_);
  User bob = add_user("bob", operator_);
  ASSERT_TRUE(sessions_->add_session(Session{digest('b'), alice.id, 2000, 0, "id-later"}));
  ASSERT_TRUE(sessions_->add_session(Session{digest('a'), alice.id, 1000, 5000, "id-first"}));
  ASSERT_TRUE(sessions_->add_session(Session{digest('x'), alice.id, 500, 100, "id-expired"}));
  ASSERT_TRUE(sessions_->add_session(Session{digest('c'), bob.id, 1500, 0, "id-bob"}));

  auto listed = sessions_->list_user_sessions(alice.id, 100);  // expires_at 100 <= now: gone
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "id-first");
  EXPECT_EQ((*listed)[0].token_digest, digest('a'));
  EXPECT_EQ((*listed)[0].created_at, 1000);
  EXPECT_EQ((*listed)[0].expires_at, 5000);
  EXPECT_EQ((*listed)[1].id, "id-later");
  EXPECT_EQ((*listed)[1].expires_at, 0);

  auto later = sessions_->list_user_sessions(alice.id, 5000);
  ASSERT_TRUE(later.has_value());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ(later->front().id, "id-later");

  auto nobody = sessions_->list_user_sessions(bob.id + 1000, 0);
  ASSERT_TRUE(nobody.has_value());
  EXPECT_TRUE(nobody->empty());
}

TEST_P(StoreContract, SessionUseIsRecordedForwardOnlyWithTheLoginsAddress) {
  User alice = add_user("alice", operator_);
  Session session{digest('a'), alice.id, 1000, 0, "id-used"};
  session.client_address = "2001:db8::17";
  ASSERT_TRUE(sessions_->add_session(session));
  Session unknown_origin{digest('b'), alice.id, 1000, 0, "id-unknown"};
  unknown_origin.client_address = std::string(65, '1');  // no address is that long
  ASSERT_TRUE(sessions_->add_session(unknown_origin));

  auto found = sessions_->find_session(digest('a'));
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->session.last_used_at, 0) << "not used since the login";
  EXPECT_EQ((*found)->session.client_address, "2001:db8::17");
  EXPECT_EQ((*sessions_->find_session(digest('b')))->session.client_address, "");

  ASSERT_TRUE(sessions_->record_session_use(digest('a'), 2000));
  ASSERT_TRUE(sessions_->record_session_use(digest('a'), 1500)) << "an older use changes nothing";
  ASSERT_TRUE(sessions_->record_session_use(digest('z'), 3000)) << "an unknown key: nothing";
  ASSERT_TRUE(sessions_->record_session_use("x\x01y", 3000));
  found = sessions_->find_session(digest('a'));
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->session.last_used_at, 2000);
  auto listed = sessions_->list_user_sessions(alice.id, 0);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].id, "id-used");
  EXPECT_EQ((*listed)[1].last_used_at, 2000);
  EXPECT_EQ((*listed)[1].client_address, "2001:db8::17");
  EXPECT_EQ((*listed)[0].last_used_at, 0) << "the other session is untouched";
}

TEST_P(StoreContract, BufferedSessionUsesAreSeenAtOnceAndWrittenInOneFlush) {
  User alice = add_user("alice", operator_);
  add_session(digest('a'), alice);
  add_session(digest('b'), alice);
  SessionUseBuffer buffer(*sessions_, *sessions_);
  ASSERT_TRUE(buffer.record_session_use(digest('a'), 2000));
  ASSERT_TRUE(buffer.record_session_use(digest('a'), 1500)) << "an older use is ignored";
  ASSERT_TRUE(buffer.record_session_use(digest('b'), 1800));
  ASSERT_TRUE(buffer.record_session_use(digest('z'), 1800)) << "an unknown key is harmless";
  EXPECT_EQ(buffer.pending(), 3u);

  EXPECT_EQ((*sessions_->find_session(digest('a')))->session.last_used_at, 0)
      << "nothing written before the flush";
  EXPECT_EQ((*buffer.find_session(digest('a')))->session.last_used_at, 2000)
      << "but this process sees its own uses";
  auto listed = buffer.list_user_sessions(alice.id, 0);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  for (const Session& session : *listed) {
    EXPECT_EQ(session.last_used_at, session.token_digest == digest('a') ? 2000 : 1800);
  }

  ASSERT_TRUE(buffer.flush());
  EXPECT_EQ(buffer.pending(), 0u);
  EXPECT_EQ((*sessions_->find_session(digest('a')))->session.last_used_at, 2000);
  EXPECT_EQ((*sessions_->find_session(digest('b')))->session.last_used_at, 1800);
  ASSERT_TRUE(buffer.flush()) << "flushing with nothing pending succeeds";
}

TEST_P(StoreContract, RecordingAUseLeavesTheChangeFeedAloneOtherSessionWritesDoNot) {
  User alice = add_user("alice", operator_);
  add_session(digest('a'), alice);
  auto counter = [&] {
    long long seq = 0;
    EXPECT_TRUE(env_->db().transaction(TxMode::kRead, [&](soci::session& sql) -> Status {
      sql << "SELECT seq FROM change_counter WHERE id = 1", soci::into(seq);
      return {};
    }));
    return seq;
  };
  const long long before = counter();
  ASSERT_TRUE(sessions_->record_session_use(digest('a'), 5000));
  EXPECT_EQ(counter(), before) << "a last use is no change the caches must hear of";
  ASSERT_TRUE(sessions_->delete_session(digest('a')));
  EXPECT_GT(counter(), before) << "ending the session is";
}

// What the lookup cache loads: at start the newest sessions, on a feed batch those named.
TEST_P(StoreContract, SessionsAreReadNewestFirstOrByDigestWithTheirUsers) {
  const User alice = add_user("alice", operator_);
  const User bob = add_user("bob", operator_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(sessions_->add_session(
        Session{digest(static_cast<char>('a' + i)), i == 1 ? bob.id : alice.id, 1000 + i, 0, ""}));
  }
  auto newest = sessions_->newest_sessions(2);
  ASSERT_TRUE(newest.has_value()) << newest.error().message;
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ((*newest)[0].session.token_digest, digest('c'));
  EXPECT_EQ((*newest)[0].user.username, "alice");
  EXPECT_EQ((*newest)[1].session.token_digest, digest('b'));
  EXPECT_EQ((*newest)[1].user.username, "bob");
  EXPECT_EQ((*newest)[1].user.role.name, operator_.name);
  EXPECT_EQ(sessions_->newest_sessions(10).value().size(), 3u);
  EXPECT_TRUE(sessions_->newest_sessions(0).value().empty());

  // Unknown and unstorable digests are left out, not errors.
  auto named = sessions_->find_sessions({digest('b'), digest('z'), "x\x01y", digest('a')});
  ASSERT_TRUE(named.has_value()) << named.error().message;
  ASSERT_EQ(named->size(), 2u);
  EXPECT_EQ((*named)[0].session.token_digest, digest('b'));
  EXPECT_EQ((*named)[0].user.id, bob.id);
  EXPECT_EQ((*named)[1].session.token_digest, digest('a'));
  EXPECT_TRUE(sessions_->find_sessions({}).value().empty());
}

TEST_P(StoreContract, SessionIsFoundByItsIdAndIdsAreUnique) {
  User alice = add_user("alice", operator_);
  ASSERT_TRUE(sessions_->add_session(Session{digest('a'), alice.id, 1000, 0, "0123abcd"}));
  auto found = sessions_->find_session_by_id("0123abcd");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->token_digest, digest('a'));
  EXPECT_EQ((*found)->user_id, alice.id);
  auto joined = sessions_->find_session(digest('a'));
  ASSERT_TRUE(joined.has_value() && joined->has_value());
  EXPECT_EQ((*joined)->session.id, "0123abcd");

  for (std::string_view absent : {"0123abcE", "", "x\x01y"}) {
    auto missing = sessions_->find_session_by_id(absent);
    ASSERT_TRUE(missing.has_value());
    EXPECT_FALSE(missing->has_value());
  }

  auto duplicate = sessions_->add_session(Session{digest('b'), alice.id, 1000, 0, "0123abcd"});
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(session_exists(digest('b')));

  // Sessions without an id (written by older code) may be many, and are never found by "".
  add_session(digest('c'), alice);
  add_session(digest('d'), alice);
  auto listed = sessions_->list_user_sessions(alice.id, 0);
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->size(), 3u);
}

TEST_P(StoreContract, MigrationGivesEarlierSessionsAnId) {
  User alice = add_user("alice", operator_);
  add_session(digest('a'), alice);
  add_session(digest('b'), alice);
  // As a session stored before migration 5: no id; running that migration's UPDATE again
  // (it is what the migration does to such rows) gives each a distinct one.
  auto backfilled = database().transaction(TxMode::kWrite, [this](soci::session& sql) -> Status {
    sql << "UPDATE sessions SET session_id = " +
               std::string(sql_for(database().dialect()).random_hex_id) +
               " WHERE session_id IS NULL";
    return {};
  });
  ASSERT_TRUE(backfilled.has_value()) << backfilled.error().message;
  auto listed = sessions_->list_user_sessions(alice.id, 0);
  ASSERT_TRUE(listed.has_value() && listed->size() == 2u);
  EXPECT_EQ((*listed)[0].id.size(), 16u);
  EXPECT_EQ((*listed)[1].id.size(), 16u);
  EXPECT_NE((*listed)[0].id, (*listed)[1].id);
  EXPECT_EQ((*listed)[0].id.find_first_not_of("0123456789abcdef"), std::string::npos);
}

// ---------------------------------------------------------------- third-party tokens

TEST_P(StoreContract, TokensAreStoredListedAndRevoked) {
  TptRecord plain{"jti-1", "operator", "2024-01-02 03:04:05", std::nullopt, std::nullopt,
                  "", "system", false};
  TptRecord expiring{"jti-2", "ADMIN", "2024-01-01 00:00:00", "2025-01-01 00:00:00",
                     1735689600, "nightly export", "root", false};
  ASSERT_TRUE(tpts_->add_tpt(plain).has_value());
  ASSERT_TRUE(tpts_->add_tpt(expiring).has_value());

  auto duplicate = tpts_->add_tpt(plain);
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(duplicate.error().fields.contains("jti"));

  auto listed = tpts_->list_tpts();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].jti, "jti-2");  // oldest first
  EXPECT_EQ((*listed)[0].expires_on, std::optional<std::string>("2025-01-01 00:00:00"));
  EXPECT_EQ((*listed)[0].expires_at, std::optional<UnixSeconds>(1735689600));
  EXPECT_EQ((*listed)[0].description, "nightly export");
  EXPECT_EQ((*listed)[0].created_by, "root");
  EXPECT_EQ((*listed)[1].jti, "jti-1");
  EXPECT_EQ((*listed)[1].expires_on, std::nullopt);
  EXPECT_EQ((*listed)[1].expires_at, std::nullopt);
  EXPECT_FALSE((*listed)[1].revoked);

  ASSERT_TRUE(tpts_->revoke_tpt("jti-1").has_value());
  ASSERT_TRUE(tpts_->revoke_tpt("jti-1").has_value());  // already revoked: still fine
  auto found = tpts_->find_tpt("jti-1");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_TRUE((*found)->revoked);
  auto other = tpts_->find_tpt("jti-2");
  ASSERT_TRUE(other.has_value() && other->has_value());
  EXPECT_FALSE((*other)->revoked);

  auto unknown = tpts_->revoke_tpt("jti-404");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto missing = tpts_->find_tpt("jti-404");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
}

// ---------------------------------------------------------------- throttling

// One failure of `key` at `at`, through an unlimited-enough reservation.
#define RECORD_FAILURE(key, at) \
  ASSERT_TRUE(throttle_->reserve_attempt({{key, 1'000'000}}, at, 0).value().granted)

TEST_P(StoreContract, FailureWindowsCountOnlyRecentFailuresPerKey) {
  for (UnixSeconds t : {100, 200, 300}) {
    RECORD_FAILURE("user:alice", t);
  }
  RECORD_FAILURE("addr:10.0.0.1", 250);

  auto all = throttle_->failures_since("user:alice", 0);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->count, 3);
  EXPECT_EQ(all->oldest, 100);

  auto recent = throttle_->failures_since("user:alice", 150);
  ASSERT_TRUE(recent.has_value());
  EXPECT_EQ(recent->count, 2);
  EXPECT_EQ(recent->oldest, 200);

  auto edge = throttle_->failures_since("user:alice", 300);  // "at or after"
  ASSERT_TRUE(edge.has_value());
  EXPECT_EQ(edge->count, 1);

  auto none = throttle_->failures_since("user:alice", 301);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->count, 0);
  EXPECT_EQ(none->oldest, 0);

  auto other_case = throttle_->failures_since("user:ALICE", 0);  // keys are exact
  ASSERT_TRUE(other_case.has_value());
  EXPECT_EQ(other_case->count, 0);

  ASSERT_TRUE(throttle_->clear_failures("user:alice").has_value());
  auto cleared = throttle_->failures_since("user:alice", 0);
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->count, 0);
  auto address = throttle_->failures_since("addr:10.0.0.1", 0);
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->count, 1);
}

// Unlocking an account clears its own count and its per-address pairs, nobody else's.
TEST_P(StoreContract, ClearingAnAccountClearsItsPairsOnly) {
  RECORD_FAILURE("account:user:ab", 10);
  RECORD_FAILURE("account:user:ab|address:10.0.0.1", 10);
  RECORD_FAILURE("account:user:ab|address:10.0.0.2", 11);
  RECORD_FAILURE("account:user:abc|address:10.0.0.1", 12);
  RECORD_FAILURE("account:user:a_", 12);
  auto cleared = throttle_->clear_failures("account:user:ab");
  ASSERT_TRUE(cleared.has_value()) << cleared.error().message;
  EXPECT_EQ(*cleared, 3);
  EXPECT_EQ(throttle_->failures_since("account:user:ab|address:10.0.0.2", 0).value().count, 0);
  EXPECT_EQ(throttle_->failures_since("account:user:abc|address:10.0.0.1", 0).value().count, 1);
  EXPECT_EQ(throttle_->clear_failures("account:user:a%").value_or(-1), 0) << "no wildcards";
  EXPECT_EQ(throttle_->failures_since("account:user:a_", 0).value().count, 1);
}

// What the console's overview counts as locked: an account's own key at its limit in the
// window; its per-address pairs and other prefixes never count, and the prefix is no pattern.
TEST_P(StoreContract, KeysAtTheirLimitAreCountedByPrefixWithoutPairs) {
  for (UnixSeconds t : {100, 200, 300}) RECORD_FAILURE("account:user:ab", t);
  for (UnixSeconds t : {100, 200, 300}) RECORD_FAILURE("account:user:ab|address:10.0.0.1", t);
  for (UnixSeconds t : {200, 300}) RECORD_FAILURE("account:user:cd", t);
  for (UnixSeconds t : {200, 300, 300}) RECORD_FAILURE("address:10.0.0.1", t);
  EXPECT_EQ(throttle_->count_keys_at_limit("account:", 3, 0).value_or(-1), 1);
  EXPECT_EQ(throttle_->count_keys_at_limit("account:", 2, 0).value_or(-1), 2);
  EXPECT_EQ(throttle_->count_keys_at_limit("account:", 2, 250).value_or(-1), 0) << "window";
  EXPECT_EQ(throttle_->count_keys_at_limit("account:", 1, 250).value_or(-1), 2);
  EXPECT_EQ(throttle_->count_keys_at_limit("account:%", 1, 0).value_or(-1), 0) << "no wildcards";
  EXPECT_EQ(throttle_->count_keys_at_limit("nobody:", 1, 0).value_or(-1), 0);
}

TEST_P(StoreContract, VeryOldFailuresArePruned) {
  RECORD_FAILURE("k", 1000);
  RECORD_FAILURE("k", 1000 + SqlThrottleStore::kRetentionSeconds + 1);
  auto all = throttle_->failures_since("k", 0);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->count, 1);
}

TEST_P(StoreContract, HostileThrottleKeysAreCountedConsistently) {
  const std::string key("user:a\0b\xff", 9);
  RECORD_FAILURE(key, 10);
  RECORD_FAILURE(key, 11);
  auto window = throttle_->failures_since(key, 0);
  ASSERT_TRUE(window.has_value());
  EXPECT_EQ(window->count, 2);
  auto prefix = throttle_->failures_since("user:a", 0);
  ASSERT_TRUE(prefix.has_value());
  EXPECT_EQ(prefix->count, 0);  // never truncated at the NUL
  ASSERT_TRUE(throttle_->clear_failures(key).has_value());
  EXPECT_EQ(throttle_->failures_since(key, 0).value().count, 0);
}

TEST_P(StoreContract, ReservationsCountEveryLimitedKeyOrNone) {
  RECORD_FAILURE("pair", 100);
  RECORD_FAILURE("pair", 110);
  // "pair" is full at 2: nothing is written for either key.
  auto refused = throttle_->reserve_attempt({{"pair", 2}, {"account", 10}}, 120, 0);
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->granted);
  EXPECT_EQ(refused->oldest_blocking, 100);
  EXPECT_EQ(throttle_->failures_since("account", 0).value().count, 0);
  // Only failures inside the window count; an unlimited key is not counted at all.
  auto granted = throttle_->reserve_attempt({{"pair", 2}, {"account", 10}, {"free", 0}}, 120, 105);
  ASSERT_TRUE(granted.has_value());
  ASSERT_TRUE(granted->granted);
  EXPECT_EQ(granted->failure_ids.size(), 2u);
  EXPECT_EQ(throttle_->failures_since("pair", 0).value().count, 3);
  EXPECT_EQ(throttle_->failures_since("account", 0).value().count, 1);
  EXPECT_EQ(throttle_->failures_since("free", 0).value().count, 0);
  // A successful attempt takes its provisional failures back, and only those.
  RECORD_FAILURE("other", 110);
  ASSERT_TRUE(throttle_->release_attempt(granted->failure_ids, "other").has_value());
  EXPECT_EQ(throttle_->failures_since("pair", 0).value().count, 2);
  EXPECT_EQ(throttle_->failures_since("account", 0).value().count, 0);
  EXPECT_EQ(throttle_->failures_since("other", 0).value().count, 0);  // the reset key
}

TEST_P(StoreContract, ConcurrentReservationsNeverExceedTheLimit) {
  // Each thread uses its own store on the shared database, as separate processes would.
  constexpr int kThreads = 8;
  constexpr int kAttemptsEach = 5;
  constexpr int kLimit = 5;
  std::atomic<int> granted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      SqlThrottleStore store(database());
      for (int i = 0; i < kAttemptsEach; ++i) {
        auto reservation = store.reserve_attempt({{"race", kLimit}, {"race-all", 1000}}, 500, 0);
        if (!reservation) {
          ++errors;
        } else if (reservation->granted) {
          ++granted;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(granted.load(), kLimit);
  EXPECT_EQ(throttle_->failures_since("race", 0).value().count, kLimit);
  EXPECT_EQ(throttle_->failures_since("race-all", 0).value().count, kLimit);
}

// Logins of one account from one address at once: each reserves an attempt on the account's
// and the address's keys, and the successful ones release theirs (and clear the account's
// failures). On MySQL a release that took its row locks in another order than the
// reservations deadlocked with them, and the loser answered 503.
TEST_P(StoreContract, ReservationsAndReleasesOfTheSameKeysNeverFail) {
  constexpr int kThreads = 6;
  constexpr int kRoundsEach = 15;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      SqlThrottleStore store(database());
      for (int i = 0; i < kRoundsEach; ++i) {
        auto reservation =
            store.reserve_attempt({{"race-address", 100000}, {"race-user", 100000}}, 500, 0);
        if (!reservation || !reservation->granted) {
          ++errors;
          continue;
        }
        if (!store.release_attempt(reservation->failure_ids, "race-user")) ++errors;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(throttle_->failures_since("race-user", 0).value().count, 0);
  EXPECT_EQ(throttle_->failures_since("race-address", 0).value().count, 0);
}

// ---------------------------------------------------------------- change feed

TEST_P(StoreContract, ChangeFeedLogsUpdatesAndDeletesOfCachedRowsInOrder) {
  ChangeFeed feed(database());
  const User ana = add_user("feed_ana", operator_);
  add_session(digest('f'), ana);
  ASSERT_TRUE(tpts_->add_tpt(TptRecord{"feed-jti", "operator", "2024-01-01 00:00:00",
                                       std::nullopt, std::nullopt, "", "root", false}));
  std::int64_t start = feed.position().value();
  // A new session is logged, so caches can load it ahead of its first use (migration 11).
  add_session(digest('g'), ana);
  auto created = feed.since(start);
  ASSERT_TRUE(created.has_value());
  ASSERT_EQ(created->changes.size(), 1u);
  EXPECT_EQ(created->changes[0].entity, "session");
  EXPECT_EQ(created->changes[0].key, digest('g'));
  start = created->position;
  // A new user is logged by its name as lookups compare it (lower()), so a cache that
  // remembered the name as unknown drops exactly that (migration 12).
  add_user("Feed_Bo", operator_);
  auto named = feed.since(start);
  ASSERT_TRUE(named.has_value());
  ASSERT_EQ(named->changes.size(), 1u);
  EXPECT_EQ(named->changes[0].entity, "username");
  EXPECT_EQ(named->changes[0].key, "feed_bo");
  start = named->position;
  // Other inserts make no cached answer wrong: not logged.
  ASSERT_TRUE(tpts_->add_tpt(TptRecord{"feed-jti-2", "operator", "2024-01-01 00:00:00",
                                       std::nullopt, std::nullopt, "", "root", false}));
  ASSERT_EQ(feed.position().value(), start);

  ASSERT_TRUE(users_->update_profile(ana.id, UserEdit{{}, std::string("Ana"), {}}));
  ASSERT_TRUE(sessions_->delete_session(digest('f')));
  ASSERT_TRUE(tpts_->revoke_tpt("feed-jti"));
  ASSERT_TRUE(users_->delete_user(ana.id));  // its remaining session goes by cascade

  auto batch = feed.since(start);
  ASSERT_TRUE(batch.has_value());
  EXPECT_FALSE(batch->gap);
  std::vector<std::pair<std::string, std::string>> seen;
  std::int64_t previous = start;
  for (const Change& change : batch->changes) {
    EXPECT_EQ(change.seq, previous + 1);  // dense, in commit order
    previous = change.seq;
    seen.emplace_back(change.entity, change.key);
  }
  EXPECT_EQ(batch->position, previous);
  const std::string ana_id = std::to_string(ana.id);
  ASSERT_GE(seen.size(), 5u);
  EXPECT_EQ(seen[0], (std::pair<std::string, std::string>{"user", ana_id}));
  EXPECT_EQ(seen[1], (std::pair<std::string, std::string>{"session", digest('f')}));
  EXPECT_EQ(seen[2], (std::pair<std::string, std::string>{"tpt", "feed-jti"}));
  const std::set<std::pair<std::string, std::string>> last(seen.begin() + 3, seen.end());
  EXPECT_TRUE(last.contains({"user", ana_id}));
  EXPECT_TRUE(last.contains({"session", digest('g')}));

  // Nothing new: an empty batch at the same position.
  auto none = feed.since(batch->position);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->changes.empty());
  EXPECT_FALSE(none->gap);
  // A reader behind what was pruned is told so.
  ASSERT_TRUE(feed.prune(start + 2).has_value());
  auto behind = feed.since(start);
  ASSERT_TRUE(behind.has_value());
  EXPECT_TRUE(behind->gap);
  auto after_prune = feed.since(start + 2);
  ASSERT_TRUE(after_prune.has_value());
  EXPECT_FALSE(after_prune->gap);
}

// Review 2 #8 on every engine: a lookup cache remembers names that match no user within its
// bound, answers them from memory, and the feed entry of a user taking one (any case, any
// writer) drops exactly that one.
TEST_P(StoreContract, UnknownUsernamesAreRememberedBoundedAndDroppedByTheFeed) {
  ChangeFeed feed(database());
  LookupCache cache(feed, nullptr, 1000, /*max_absent=*/4);
  CachedUserStore users(*users_, cache);
  for (int i = 0; i < 6; ++i) {
    auto missing = users.find_user_by_username("ghost" + std::to_string(i));
    ASSERT_TRUE(missing.has_value()) << missing.error().message;
    EXPECT_FALSE(missing->has_value());
  }
  EXPECT_EQ(cache.unknown_usernames.size(), 4u) << "bounded";
  const auto before = cache.stats();
  for (int i = 0; i < 10; ++i) {
    auto missing = users.find_user_by_username("GHOST5");
    ASSERT_TRUE(missing.has_value());
    EXPECT_FALSE(missing->has_value());
  }
  EXPECT_EQ(cache.stats().misses, before.misses) << "a remembered miss costs no database read";

  add_user("Ghost5", operator_);  // by the store itself: another writer, as far as `cache` knows
  auto found = users.find_user_by_username("ghost5");
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_TRUE(found->has_value()) << "the new user is seen at once";
  EXPECT_EQ((*found)->username, "Ghost5");
  EXPECT_EQ(cache.stats().full_clears, before.full_clears);
  EXPECT_EQ(cache.unknown_usernames.size(), 3u) << "only that name was dropped";
}

// ---------------------------------------------------------------- audit

TEST_P(StoreContract, AuditKeepsTheReasonOfARefusal) {
  AuditEvent denied{5, "user_delete", "op", "ana", "10.0.0.3", "denied", "Access denied"};
  ASSERT_TRUE(audit_->append_event(denied));
  auto events = audit_->recent_events({.limit = 1});
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].outcome, "denied");
  EXPECT_EQ((*events)[0].reason, "Access denied");
}

TEST_P(StoreContract, AuditEventsAreCountedByEventOutcomeAndTime) {
  ASSERT_TRUE(audit_->append_event({10, "login", "", "ana", "10.0.0.1", "failure", "x"}));
  ASSERT_TRUE(audit_->append_event({20, "login", "", "ana", "10.0.0.1", "failure", "x"}));
  ASSERT_TRUE(audit_->append_event({20, "login", "", "bo", "10.0.0.1", "throttled", "x"}));
  ASSERT_TRUE(audit_->append_event({20, "login", "ana", "ana", "10.0.0.1", "success", ""}));
  ASSERT_TRUE(audit_->append_event({30, "password_change", "ana", "ana", "", "failure", ""}));
  EXPECT_EQ(audit_->count_events_since("login", "failure", 0).value_or(-1), 2);
  EXPECT_EQ(audit_->count_events_since("login", "failure", 20).value_or(-1), 1) << "at or after";
  EXPECT_EQ(audit_->count_events_since("login", "failure", 21).value_or(-1), 0);
  EXPECT_EQ(audit_->count_events_since("login", "throttled", 0).value_or(-1), 1);
  EXPECT_EQ(audit_->count_events_since("password_change", "failure", 0).value_or(-1), 1);
}

TEST_P(StoreContract, AuditEventsComeNewestFirstWithinTheLimit) {
  ASSERT_TRUE(audit_->append_event({10, "login", "alice", "alice", "10.0.0.1", "success", ""}));
  ASSERT_TRUE(audit_->append_event({30, "logout", "alice", "", "10.0.0.1", "success", ""}));
  ASSERT_TRUE(audit_->append_event({20, "signup", "", "bob", "10.0.0.2", "success", ""}));
  ASSERT_TRUE(audit_->append_event({30, "login", "", "carol", "cli", "failure", ""}));

  auto all = audit_->recent_events({.limit = 10});
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].time, 30);
  EXPECT_EQ((*all)[0].target, "carol");  // same second: the later insert first
  EXPECT_EQ((*all)[0].outcome, "failure");
  EXPECT_EQ((*all)[0].address, "cli");
  EXPECT_EQ((*all)[1].event, "logout");
  EXPECT_EQ((*all)[2].event, "signup");
  EXPECT_EQ((*all)[2].actor, "");
  EXPECT_EQ((*all)[3].time, 10);

  auto two = audit_->recent_events({.limit = 2});
  ASSERT_TRUE(two.has_value());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].event, "logout");

  auto none = audit_->recent_events({.limit = 0});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContract, AuditEventsAreFilteredByTimeEventActorTargetAndOutcome) {
  ASSERT_TRUE(audit_->append_event({10, "login", "", "ana", "10.0.0.1", "failure", "x"}));
  ASSERT_TRUE(audit_->append_event({20, "login", "ana", "ana", "10.0.0.1", "success", ""}));
  ASSERT_TRUE(audit_->append_event({20, "user_edit", "ana", "bo", "10.0.0.1", "success", ""}));
  ASSERT_TRUE(audit_->append_event({30, "login", "", "bo", "10.0.0.2", "throttled", "x"}));
  ASSERT_TRUE(audit_->append_event({40, "logout", "ana", "", "10.0.0.1", "success", ""}));
  const auto targets = [this](const AuditEventFilter& filter) {
    std::vector<std::string> found;
    const auto events = audit_->recent_events(filter);
    EXPECT_TRUE(events.has_value());
    for (const auto& event : events.value_or(std::vector<AuditEvent>{})) {
      found.push_back(event.event + ":" + event.target);
    }
    return found;
  };
  using Found = std::vector<std::string>;
  EXPECT_EQ(targets({.event = "login", .limit = 10}), (Found{"login:bo", "login:ana", "login:ana"}));
  EXPECT_EQ(targets({.actor = "ana", .limit = 10}),
            (Found{"logout:", "user_edit:bo", "login:ana"}));
  EXPECT_EQ(targets({.target = "bo", .limit = 10}), (Found{"login:bo", "user_edit:bo"}));
  EXPECT_EQ(targets({.outcome = "throttled", .limit = 10}), (Found{"login:bo"}));
  EXPECT_EQ(targets({.since = 20, .until = 30, .limit = 10}),
            (Found{"login:bo", "user_edit:bo", "login:ana"}))
      << "both ends included";
  EXPECT_EQ(targets({.until = 20, .event = "login", .actor = "ana", .limit = 10}),
            (Found{"login:ana"}));
  EXPECT_EQ(targets({.event = "login", .limit = 1}), (Found{"login:bo"})) << "the newest";
  EXPECT_EQ(targets({.event = "login'; DROP TABLE audit_events; --", .limit = 10}), Found{});
  EXPECT_EQ(targets({.since = 41, .limit = 10}), Found{});
}

TEST_P(StoreContract, AuditKeepsHostileTextReadable) {
  const std::string hostile("a\0b\xc3(", 5);
  const std::string long_target(100000, 'x');
  ASSERT_TRUE(audit_->append_event({1, "login", hostile, long_target, "::1", "failure", ""}));
  auto events = audit_->recent_events({.limit = 1});
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].actor, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD(");
  EXPECT_EQ((*events)[0].target, long_target);
}

// ---------------------------------------------------------------- settings

TEST_P(StoreContract, FirstWriterOfASettingWins) {
  auto missing = settings_->get_setting("jwt_secret");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());

  auto first = settings_->put_setting_if_absent("jwt_secret", "first");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, "first");
  auto second = settings_->put_setting_if_absent("jwt_secret", "second");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, "first");
  auto stored = settings_->get_setting("jwt_secret");
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ(**stored, "first");
}

TEST_P(StoreContract, RacingSettingWritersAllAgree) {
  constexpr int kRacers = 8;
  std::vector<std::string> seen(kRacers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([this, i, &seen] {
      auto put = settings_->put_setting_if_absent("secret", "value-" + std::to_string(i));
      seen[static_cast<std::size_t>(i)] = put ? *put : "error: " + put.error().message;
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> distinct(seen.begin(), seen.end());
  ASSERT_EQ(distinct.size(), 1u) << *distinct.begin();
  EXPECT_TRUE(distinct.begin()->starts_with("value-"));
}

TEST_P(StoreContract, SettingIsReplacedOnlyWhileItHoldsTheExpectedValue) {
  auto absent = settings_->replace_setting_if("ring", "v1", "v2");
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(*absent);
  EXPECT_FALSE(settings_->get_setting("ring").value().has_value());

  ASSERT_TRUE(settings_->put_setting_if_absent("ring", "v1").has_value());
  auto stale = settings_->replace_setting_if("ring", "v0", "v2");
  ASSERT_TRUE(stale.has_value());
  EXPECT_FALSE(*stale);
  EXPECT_EQ(settings_->get_setting("ring").value(), "v1");

  auto replaced = settings_->replace_setting_if("ring", "v1", "v2");
  ASSERT_TRUE(replaced.has_value());
  EXPECT_TRUE(*replaced);
  EXPECT_EQ(settings_->get_setting("ring").value(), "v2");
  // The same value again (MySQL counts that update as changing no row) is still a match.
  auto same = settings_->replace_setting_if("ring", "v2", "v2");
  ASSERT_TRUE(same.has_value());
  EXPECT_TRUE(*same);
  // Only that key: another setting is untouched.
  ASSERT_TRUE(settings_->put_setting_if_absent("other", "v1").has_value());
  EXPECT_EQ(settings_->get_setting("other").value(), "v1");

  auto with_nul = settings_->replace_setting_if("ring", "v2", std::string("v\0w", 3));
  ASSERT_FALSE(with_nul.has_value());
  EXPECT_EQ(with_nul.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(settings_->get_setting("ring").value(), "v2");
}

TEST_P(StoreContract, RacingReplacementsOfASettingHaveOneWinner) {
  ASSERT_TRUE(settings_->put_setting_if_absent("ring", "start").has_value());
  constexpr int kRacers = 8;
  std::vector<int> won(kRacers, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([this, i, &won] {
      auto replaced = settings_->replace_setting_if("ring", "start", "racer-" + std::to_string(i));
      won[static_cast<std::size_t>(i)] = replaced ? (*replaced ? 1 : 0) : -1;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(won.begin(), won.end(), 1), 1);
  EXPECT_EQ(std::count(won.begin(), won.end(), 0), kRacers - 1);
  const std::string stored = settings_->get_setting("ring").value().value_or("");
  EXPECT_TRUE(stored.starts_with("racer-")) << stored;
}

TEST_P(StoreContract, PingAnswers) { EXPECT_TRUE(settings_->ping().has_value()); }

// ---------------------------------------------------------------- hostile input

TEST_P(StoreContract, TextWithNulIsRefusedNeverTruncated) {
  const std::string with_nul("bob\0evil", 8);
  auto added = users_->add_user(new_user(with_nul, "bob@example.com", guest_));
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(added.error().fields.contains("username"));
  EXPECT_EQ(user_total(), 0);

  add_user("bob", guest_);
  auto lookup = users_->find_user_by_username(with_nul);  // must not match "bob"
  ASSERT_TRUE(lookup.has_value());
  EXPECT_FALSE(lookup->has_value());
  auto role = roles_->find_role(std::string("admin\0", 6));
  ASSERT_TRUE(role.has_value());
  EXPECT_FALSE(role->has_value());

  auto secret = settings_->put_setting_if_absent("k", std::string("v\0w", 3));
  ASSERT_FALSE(secret.has_value());
  EXPECT_EQ(secret.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(StoreContract, InvalidUtf8IsRefusedOnWriteAndMatchesNothing) {
  NewUser input = new_user("eve", "eve@example.com", guest_);
  input.name = std::string("\xff\xfe", 2);
  auto added = users_->add_user(input);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(added.error().fields.contains("name"));
  EXPECT_EQ(user_total(), 0);

  User bob = add_user("bob", guest_);
  auto edit = users_->update_profile(bob.id, UserEdit{std::string("\xc0\xaf@x.com"), {}, {}});
  ASSERT_FALSE(edit.has_value());
  EXPECT_EQ(edit.error().code, ErrorCode::kInvalidArgument);
  auto lookup = users_->find_user_by_email("\xc0\xaf@x.com");
  ASSERT_TRUE(lookup.has_value());
  EXPECT_FALSE(lookup->has_value());
}

TEST_P(StoreContract, UnicodeAndQuotesRoundTripVerbatim) {
  NewUser input = new_user("José.Ñúñez", "josé@exämple.com", guest_);
  input.name = "Robert'); DROP TABLE users;--";
  input.lastname = "密码 😀 \"quoted\" \\ backslash";
  auto added = users_->add_user(input);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  auto found = users_->find_user_by_username("JOSé.Ñúñez");  // ASCII letters fold
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->username, input.username);
  EXPECT_EQ((*found)->email, input.email);
  EXPECT_EQ((*found)->name, input.name);
  EXPECT_EQ((*found)->lastname, input.lastname);
  EXPECT_EQ(user_total(), 1);
}

TEST_P(StoreContract, VeryLongTextRoundTripsOrIsRefusedCleanly) {
  // users columns are VARCHAR(255) (PyAutomation's types): PostgreSQL enforces that,
  // SQLite does not. Either way nothing is truncated and the database stays consistent.
  NewUser input = new_user("longname", "long@example.com", guest_);
  input.name = std::string(10000, 'n');
  auto added = users_->add_user(input);
  if (added) {
    EXPECT_EQ(added->name, input.name);
  } else {
    EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(user_total(), 0);
  }
  // TEXT columns hold anything.
  TptRecord record{"jti-long", "operator", "2024-01-01 00:00:00", std::nullopt, std::nullopt,
                   std::string(1 << 20, 'd'), "system", false};
  ASSERT_TRUE(tpts_->add_tpt(record).has_value());
  auto found = tpts_->find_tpt("jti-long");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->description, record.description);
}

// --- PasswordStore ---

TEST_P(StoreContract, PasswordStateIsRecordedWithTheUserAndDefaultsToTheMigrationTime) {
  NewUser recorded = new_user("pwstate", "pwstate@example.com", operator_);
  recorded.password_set_at = 5000;
  recorded.must_change_password = true;
  auto added = users_->add_user(recorded);
  ASSERT_TRUE(added.has_value());
  auto state = passwords_->password_state(added->id);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_EQ(state->set_at, 5000);
  EXPECT_TRUE(state->must_change);

  const User unrecorded = add_user("pwnone", operator_);
  auto fallback = passwords_->password_state(unrecorded.id);
  ASSERT_TRUE(fallback.has_value());
  EXPECT_GT(fallback->set_at, 1'600'000'000) << "the time migration 8 ran";
  EXPECT_FALSE(fallback->must_change);
}

TEST_P(StoreContract, ReplacingAPasswordKeepsHistoryStateAndSessionsInOneStep) {
  const User user = add_user("pwreplace", operator_);
  add_session(digest('k'), user);
  add_session(digest('o'), user);
  const std::string kept_digest = digest('k');
  ASSERT_TRUE(env_->db().transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    sql << "UPDATE sessions SET password_change = 1 WHERE token_digest = :d",
        soci::use(kept_digest);
    return {};
  }));
  std::vector<std::string> hashes;
  for (int i = 1; i <= 4; ++i) {
    PasswordUpdate update;
    update.hash = "hash-" + std::to_string(i);
    update.set_at = 100 * i;
    update.must_change = i == 4;
    update.history_depth = 2;
    update.revocation = SessionRevocation{true, digest('k')};
    ASSERT_TRUE(passwords_->replace_password(user.id, update).has_value());
  }
  auto previous = passwords_->previous_password_hashes(user.id, 10);
  ASSERT_TRUE(previous.has_value());
  EXPECT_EQ(*previous, (std::vector<std::string>{"hash-3", "hash-2"})) << "newest first, depth 2";
  auto one = passwords_->previous_password_hashes(user.id, 1);
  EXPECT_EQ(*one, std::vector<std::string>{"hash-3"});
  auto state = passwords_->password_state(user.id);
  EXPECT_EQ(state->set_at, 400);
  EXPECT_TRUE(state->must_change);
  EXPECT_EQ((*users_->find_user_by_id(user.id))->password_hash, "hash-4");
  auto kept = sessions_->find_session(digest('k'));
  ASSERT_TRUE(kept.has_value() && kept->has_value());
  EXPECT_EQ((*kept)->session.password_change, PasswordChangeDemand::kNone) << "demand lifted";
  EXPECT_FALSE(sessions_->find_session(digest('o'))->has_value()) << "other sessions end";

  PasswordUpdate forget;
  forget.hash = "hash-5";
  forget.set_at = 500;
  ASSERT_TRUE(passwords_->replace_password(user.id, forget).has_value());
  EXPECT_TRUE(passwords_->previous_password_hashes(user.id, 10)->empty()) << "depth 0 keeps none";
  EXPECT_EQ(passwords_->replace_password(user.id + 1000, forget).error().code,
            ErrorCode::kNotFound);
}

TEST_P(StoreContract, ASessionKeepsItsPasswordChangeDemand) {
  const User user = add_user("pwdemand", operator_);
  Session session{digest('d'), user.id, 1000, 0, "", PasswordChangeDemand::kExpired};
  ASSERT_TRUE(sessions_->add_session(session).has_value());
  auto found = sessions_->find_session(digest('d'));
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->session.password_change, PasswordChangeDemand::kExpired);
}

TEST_P(StoreContract, DeletingAUserForgetsItsPasswordRecords) {
  const User user = add_user("pwgone", operator_);
  PasswordUpdate update;
  update.hash = "hash-x";
  update.set_at = 100;
  update.must_change = true;
  update.history_depth = 3;
  ASSERT_TRUE(passwords_->replace_password(user.id, update).has_value());
  ASSERT_TRUE(users_->delete_user(user.id).has_value());
  int left = -1;
  ASSERT_TRUE(env_->db().transaction(TxMode::kRead, [&](soci::session& sql) -> Status {
    sql << "SELECT (SELECT COUNT(*) FROM password_state WHERE user_id = :a) +"
           " (SELECT COUNT(*) FROM password_history WHERE user_id = :b)",
        soci::use(user.id), soci::use(user.id), soci::into(left);
    return {};
  }));
  EXPECT_EQ(left, 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreContract, contract::all_backends(), contract::backend_name);

}  // namespace
}  // namespace automation::storage
