// Two applications over one SQLite file stand for two server processes: every change made
// through one (or by any other writer) is seen by the other's cached lookups at once.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "automation/app/application.hpp"

namespace automation::app {
namespace {

namespace fs = std::filesystem;

class CacheCoherenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("automation-cache-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_.database.file = (dir_ / "shared.db").string();
    config_.secrets.superuser_password = "system-password-1";
    config_.password_hash = {8, 1};
    first_ = start();
    second_ = start();
    ASSERT_TRUE(first_ && second_);
    auto created = first_->core().users().signup(
        SignupRequest{"worker", "worker@example.com", "password123", "operator", {}, {}});
    ASSERT_TRUE(created);
  }
  void TearDown() override {
    first_.reset();
    second_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<Application> start() {
    BootstrapReport report;
    auto app = Application::start(config_, report);
    EXPECT_TRUE(app) << (app ? "" : app.error().message);
    return app ? std::move(*app) : nullptr;
  }

  std::string login(Application& app) {
    auto result = app.core().login(Credentials{"worker", std::nullopt, "password123"});
    EXPECT_TRUE(result);
    return result ? result->api_key : "";
  }

  // Keys of "worker" and of a second user, both logged in on first_ and cached on second_.
  std::pair<std::string, std::string> two_sessions_cached_on_second() {
    EXPECT_TRUE(first_->core().users().signup(
        SignupRequest{"bystander", "bystander@example.com", "password123", "operator", {}, {}}));
    const std::string worker = login(*first_);
    auto other = first_->core().login(Credentials{"bystander", std::nullopt, "password123"});
    EXPECT_TRUE(other);
    const std::string bystander = other ? other->api_key : "";
    EXPECT_TRUE(second_->api().authenticate(worker));
    EXPECT_TRUE(second_->api().authenticate(bystander));
    return {worker, bystander};
  }

  fs::path dir_;
  config::Config config_;
  std::unique_ptr<Application> first_;
  std::unique_ptr<Application> second_;
};

TEST_F(CacheCoherenceTest, LogoutOnOneIsSeenByTheOtherAtOnce) {
  const std::string key = login(*first_);
  ASSERT_TRUE(second_->api().authenticate(key));
  ASSERT_TRUE(second_->api().authenticate(key));  // now answered from the cache
  ASSERT_TRUE(first_->core().logout(key));
  EXPECT_EQ(second_->api().authenticate(key).error().message, "Invalid token");
}

TEST_F(CacheCoherenceTest, RoleChangeAndPasswordResetAreSeenAtOnce) {
  const std::string key = login(*first_);
  auto before = second_->api().authenticate(key);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->role.name, "operator");
  ASSERT_TRUE(first_->core().update_user_role("worker", "supervisor"));
  auto after = second_->api().authenticate(key);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->role.name, "supervisor");
  ASSERT_TRUE(second_->core().get_user("worker"));
  ASSERT_TRUE(first_->core().reset_password("worker", "another-password"));
  EXPECT_FALSE(second_->api().authenticate(key));
}

TEST_F(CacheCoherenceTest, WritesByOtherProgramsAreSeen) {
  const std::string key = login(*first_);
  ASSERT_TRUE(second_->api().authenticate(key));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(config_.database.file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM sessions", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_FALSE(second_->api().authenticate(key));
}

TEST_F(CacheCoherenceTest, TptRevocationIsSeenAtOnce) {
  auto created = first_->core().create_tpt(TptRequest{"operator", std::nullopt, ""}, "test");
  ASSERT_TRUE(created);
  ASSERT_TRUE(second_->api().authenticate(created->token));
  ASSERT_TRUE(second_->api().authenticate(created->token));
  ASSERT_TRUE(first_->core().tpts().revoke_tpt(created->record.jti));
  EXPECT_FALSE(second_->api().authenticate(created->token));
}

TEST_F(CacheCoherenceTest, OneUsersLogoutLeavesEveryoneElsesEntriesAlone) {
  const auto [leaving, bystander] = two_sessions_cached_on_second();
  const CacheStats before = *second_->cache_stats();

  ASSERT_TRUE(first_->core().logout(leaving));
  // Someone else logging in (an insert) invalidates nothing either.
  ASSERT_TRUE(first_->core().login(Credentials{"bystander", std::nullopt, "password123"}));
  EXPECT_FALSE(second_->api().authenticate(leaving));
  ASSERT_TRUE(second_->api().authenticate(bystander));

  const CacheStats after = *second_->cache_stats();
  EXPECT_EQ(after.full_clears, before.full_clears);
  EXPECT_EQ(after.entries_dropped, before.entries_dropped + 1);  // just the ended session
  EXPECT_EQ(after.hits, before.hits + 1);  // the bystander's key, still cached
}

TEST_F(CacheCoherenceTest, AKeyMadeByTheOtherIsLoadedBeforeItsFirstUse) {
  ASSERT_TRUE(second_->api().authenticate(login(*first_)));  // the feed is read once
  const CacheStats before = *second_->cache_stats();
  const std::string key = login(*first_);
  auto found = second_->api().authenticate(key);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user->username, "worker");
  const CacheStats after = *second_->cache_stats();
  EXPECT_EQ(after.sessions_prefetched, before.sessions_prefetched + 1);
  EXPECT_EQ(after.misses, before.misses) << "no cold lookup for a key made elsewhere";
  EXPECT_EQ(after.hits, before.hits + 1);

  // Loaded ahead or not, the entry follows later changes like any other.
  ASSERT_TRUE(first_->core().logout(key));
  EXPECT_EQ(second_->api().authenticate(key).error().message, "Invalid token");
}

TEST_F(CacheCoherenceTest, KeysMadeBeforeAStartAreLoadedAtStart) {
  const std::string key = login(*first_);
  auto third = start();
  ASSERT_TRUE(third);
  auto loaded = third->load_existing_sessions();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, 1u);
  const CacheStats before = *third->cache_stats();
  ASSERT_TRUE(third->api().authenticate(key));
  const CacheStats after = *third->cache_stats();
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.hits, before.hits + 1);
  // And it is dropped like any other entry.
  ASSERT_TRUE(first_->core().logout(key));
  EXPECT_FALSE(third->api().authenticate(key));
}

TEST_F(CacheCoherenceTest, AfterARoleChangeEmptiesTheCacheTheSessionsAreLoadedAgain) {
  const std::string key = login(*first_);
  ASSERT_TRUE(second_->load_existing_sessions());
  const CacheStats before = *second_->cache_stats();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(config_.database.file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE roles SET level = 42 WHERE lower(name) = 'operator'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto found = second_->api().authenticate(key);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->role.level, 42) << "loaded after the change, never before it";
  const CacheStats after = *second_->cache_stats();
  EXPECT_EQ(after.full_clears, before.full_clears + 1);
  EXPECT_EQ(after.misses, before.misses) << "reloaded with the clear, not one by one";
  EXPECT_EQ(after.hits, before.hits + 1);
}

// The listing version tells whether a kept rendered list may be reused: any change to the
// list, by any process, must move it on the other at once.
TEST_F(CacheCoherenceTest, TheListingVersionMovesWithTheOthersChanges) {
  auto version = [this] {
    auto read = second_->core().users().list_version();
    EXPECT_TRUE(read && *read);
    return read && *read ? **read : -1;
  };
  const std::int64_t before = version();
  EXPECT_EQ(version(), before);
  ASSERT_TRUE(first_->core().users().signup(
      SignupRequest{"listed", "listed@example.com", "password123", "operator", {}, {}}));
  const std::int64_t after_signup = version();
  EXPECT_NE(after_signup, before);
  ASSERT_TRUE(first_->core().users().edit_user("listed", UserEdit{{}, std::string("Lee"), {}}));
  EXPECT_NE(version(), after_signup);
}

TEST_F(CacheCoherenceTest, AUserChangeDropsOnlyThatUsersEntries) {
  const auto [key, bystander] = two_sessions_cached_on_second();
  const CacheStats before = *second_->cache_stats();
  ASSERT_TRUE(first_->core().users().edit_user("worker", UserEdit{{}, std::string("Wanda"), {}}));
  auto edited = second_->api().authenticate(key);
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->user->name, "Wanda");
  ASSERT_TRUE(second_->api().authenticate(bystander));
  const CacheStats after = *second_->cache_stats();
  EXPECT_EQ(after.full_clears, before.full_clears);
  EXPECT_EQ(after.hits, before.hits + 1);
}

// Review 2 #8: names that match no user are remembered, so a 404 for a missing name costs
// what one for a hidden sudo account does; the other process creating the name (or any
// writer renaming a user to it) makes it visible at the very next lookup.
TEST_F(CacheCoherenceTest, ANameRememberedAsUnknownIsFoundOnceAnotherProcessTakesIt) {
  ASSERT_EQ(second_->core().get_user("newcomer").error().code, ErrorCode::kNotFound);
  const CacheStats remembered = *second_->cache_stats();
  for (const char* name : {"newcomer", "NewComer", "NEWCOMER"}) {
    EXPECT_EQ(second_->core().get_user(name).error().code, ErrorCode::kNotFound);
  }
  EXPECT_EQ(second_->cache_stats()->misses, remembered.misses)
      << "the unknown name (in any case) is answered from memory";

  ASSERT_TRUE(first_->core().users().signup(
      SignupRequest{"NewComer", "newcomer@example.com", "password123", "operator", {}, {}}));
  auto found = second_->core().get_user("newcomer");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->username, "NewComer");

  // A rename by another program (PyAutomation, or SQL by hand) to a remembered name.
  ASSERT_EQ(second_->core().get_user("renamed").error().code, ErrorCode::kNotFound);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(config_.database.file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE users SET username = 'Renamed' WHERE username = 'worker'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto renamed = second_->core().get_user("renamed");
  ASSERT_TRUE(renamed) << renamed.error().message;
  EXPECT_EQ(renamed->username, "Renamed");
  const CacheStats after = *second_->cache_stats();
  EXPECT_EQ(after.full_clears, remembered.full_clears) << "dropped exactly, not by a clear";
}

}  // namespace
}  // namespace automation::app
