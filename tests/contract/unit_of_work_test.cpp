// Database::atomically on every engine: what the core's UnitOfWork promises (ports.hpp),
// which is how a security change and its audit event stand or fall together.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "automation/storage/database.hpp"
#include "automation/storage/sql_role_store.hpp"
#include "automation/storage/sql_throttle_store.hpp"
#include "automation/storage/sql_unit_of_work.hpp"
#include "test_database.hpp"

namespace automation::storage {
namespace {

using contract::Backend;
using contract::TestDatabase;

class UnitOfWorkContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = GetParam().make();
    if (!env_) GTEST_SKIP() << GetParam().skip_reason;
    roles_ = std::make_unique<SqlRoleStore>(env_->db());
    throttle_ = std::make_unique<SqlThrottleStore>(env_->db());
    units_ = std::make_unique<SqlUnitOfWork>(env_->db());
  }

  Status add_role(const std::string& name) {
    auto added = roles_->add_role(Role{0, "id-" + name, name, 5});
    if (!added) return std::unexpected(added.error());
    return {};
  }

  bool has_role(const std::string& name) {
    auto found = roles_->find_role(name);
    EXPECT_TRUE(found) << found.error().message;
    return found && found->has_value();
  }

  static Status refused() { return fail(ErrorCode::kRuleViolation, "refused"); }

  std::unique_ptr<TestDatabase> env_;
  std::unique_ptr<SqlRoleStore> roles_;
  std::unique_ptr<SqlThrottleStore> throttle_;
  std::unique_ptr<SqlUnitOfWork> units_;
};

TEST_P(UnitOfWorkContract, EveryWriteCommitsTogether) {
  auto done = units_->run([&]() -> Status {
    EXPECT_TRUE(in_atomic_change());
    if (auto a = add_role("first"); !a) return a;
    return add_role("second");
  });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_FALSE(in_atomic_change());
  EXPECT_TRUE(has_role("first"));
  EXPECT_TRUE(has_role("second"));
}

TEST_P(UnitOfWorkContract, WorkThatFailsLeavesNoWriteBehind) {
  auto done = units_->run([&]() -> Status {
    EXPECT_TRUE(add_role("first"));
    EXPECT_TRUE(add_role("second"));
    return refused();
  });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ErrorCode::kRuleViolation) << "work's own error comes back";
  EXPECT_FALSE(has_role("first"));
  EXPECT_FALSE(has_role("second"));
}

TEST_P(UnitOfWorkContract, AFailedStepUndoesOnlyItselfAndTheChangeGoesOn) {
  // On PostgreSQL a failed statement spoils the whole transaction unless it ran in a
  // savepoint: the step after it must still work and commit.
  auto done = units_->run([&]() -> Status {
    EXPECT_TRUE(add_role("kept"));
    auto duplicate = add_role("KEPT");
    EXPECT_EQ(duplicate ? ErrorCode::kInternal : duplicate.error().code,
              ErrorCode::kAlreadyExists);
    EXPECT_TRUE(has_role("kept")) << "a read after the failed step sees the change so far";
    return add_role("after");
  });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(has_role("kept"));
  EXPECT_TRUE(has_role("after"));
}

TEST_P(UnitOfWorkContract, ReadsAfterTheFirstWriteSeeTheChangeOthersDoNot) {
  auto done = units_->run([&]() -> Status {
    EXPECT_TRUE(add_role("pending"));
    EXPECT_TRUE(has_role("pending"));
    bool seen_elsewhere = true;
    std::thread other([&] { seen_elsewhere = has_role("pending"); });
    other.join();
    EXPECT_FALSE(seen_elsewhere) << "another connection saw an uncommitted write";
    return {};
  });
  ASSERT_TRUE(done) << done.error().message;
}

TEST_P(UnitOfWorkContract, NothingIsLockedBeforeTheFirstWrite) {
  // Slow work (a KDF) runs before the first write: other writers must not wait for it. On
  // SQLite a write lock taken up front would make this other thread's write wait 5 s and fail.
  auto done = units_->run([&]() -> Status {
    Status elsewhere;
    std::thread other([&] { elsewhere = add_role("written_elsewhere"); });
    other.join();
    EXPECT_TRUE(elsewhere) << elsewhere.error().message;
    return add_role("written_here");
  });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(has_role("written_elsewhere"));
  EXPECT_TRUE(has_role("written_here"));
}

TEST_P(UnitOfWorkContract, AsideWritesStandWhenTheChangeFails) {
  const std::vector<ThrottleLimit> limits{{"account:user:aside", 5}};
  auto done = units_->run([&]() -> Status {
    auto attempt = throttle_->reserve_attempt(limits, 1000, 1);
    EXPECT_TRUE(attempt && attempt->granted);
    EXPECT_TRUE(add_role("undone"));
    return refused();
  });
  ASSERT_FALSE(done);
  EXPECT_FALSE(has_role("undone"));
  auto counted = throttle_->failures_since("account:user:aside", 1);
  ASSERT_TRUE(counted) << counted.error().message;
  EXPECT_EQ(counted->count, 1) << "the counted attempt must stand";
}

TEST_P(UnitOfWorkContract, ANestedChangeIsPartOfTheOuterOne) {
  auto done = units_->run([&]() -> Status {
    auto inner = units_->run([&] { return add_role("inner"); });
    EXPECT_TRUE(inner);
    return refused();
  });
  ASSERT_FALSE(done);
  EXPECT_FALSE(has_role("inner")) << "the outer change's failure undoes the inner one";
}

TEST_P(UnitOfWorkContract, WorkThatWritesNothingCommitsNothingAndSucceeds) {
  auto done = units_->run([&]() -> Status { return has_role("absent") ? refused() : Status{}; });
  EXPECT_TRUE(done);
}

INSTANTIATE_TEST_SUITE_P(Engines, UnitOfWorkContract, contract::all_backends(),
                         contract::backend_name);

}  // namespace
}  // namespace automation::storage
