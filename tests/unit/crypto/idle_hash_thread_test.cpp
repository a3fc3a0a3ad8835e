#include "automation/crypto/idle_hash_thread.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include "automation/crypto/argon2_hasher.hpp"
#include "automation/crypto/hash_memory.hpp"

namespace automation::crypto {
namespace {

// Large enough to be kept (a MiB or more), cheap enough for a unit test.
constexpr Argon2Params kKeptSize{.memory_kib = 2048, .iterations = 1};
constexpr Argon2Params kOtherKeptSize{.memory_kib = 3072, .iterations = 1};
constexpr std::size_t kKeptBytes = 2048 * 1024;

TEST(IdleHashThread, RunsTheComputationOnAnotherThreadAtIdlePriority) {
  IdleHashThread hashing;
  std::thread::id ran_on;
  int policy = -1;
  int nice_value = 0;
  hashing.run([&] {
    ran_on = std::this_thread::get_id();
    policy = ::sched_getscheduler(0);
    nice_value = ::getpriority(PRIO_PROCESS, 0);
  });
  EXPECT_NE(ran_on, std::this_thread::get_id());
  // SCHED_IDLE, or nice +19 where a sandbox refuses it.
  EXPECT_TRUE(policy == SCHED_IDLE || nice_value == 19) << policy << " " << nice_value;
}

TEST(IdleHashThread, PassesOnWhatTheComputationThrows) {
  IdleHashThread hashing;
  EXPECT_THROW(hashing.run([] { throw std::runtime_error("boom"); }), std::runtime_error);
  bool ran = false;
  hashing.run([&] { ran = true; });  // still serves after a failure
  EXPECT_TRUE(ran);
}

TEST(IdleHashThread, RoutedHashesAreTheSameHashesAndUseTheCallersKeptMemory) {
  const Argon2Hasher hasher(kKeptSize);
  const auto inline_hash = hasher.hash("routed password");
  ASSERT_TRUE(inline_hash.has_value());
  HashMemoryKeeper keeper;  // the caller's, as a pool worker's
  IdleHashThread hashing;
  const HashRoutingScope routed(hashing);
  for (int i = 0; i < 3; ++i) {
    const auto routed_hash = hasher.hash("routed password");
    ASSERT_TRUE(routed_hash.has_value());
    EXPECT_TRUE(hasher.verify("routed password", *routed_hash));
    EXPECT_TRUE(hasher.verify("routed password", *inline_hash));
    EXPECT_FALSE(hasher.verify("routed passwore", *inline_hash));
  }
  EXPECT_EQ(keeper.kept_bytes(), kKeptBytes);
  EXPECT_EQ(keeper.reuses(), 11U);  // 12 hashes, the first one mapped the region
}

TEST(IdleHashThread, AHashThatGotUnderAThirdOfACoreWasStarved) {
  using std::chrono::milliseconds;
  EXPECT_FALSE(IdleHashThread::starved(milliseconds(12), milliseconds(10)));
  EXPECT_FALSE(IdleHashThread::starved(milliseconds(30), milliseconds(10)));
  EXPECT_TRUE(IdleHashThread::starved(milliseconds(40), milliseconds(10)));
  EXPECT_TRUE(IdleHashThread::starved(milliseconds(900), milliseconds(10)));
  EXPECT_FALSE(
      IdleHashThread::starved(std::chrono::microseconds(900), std::chrono::microseconds(1)));
}

// A computation that got no CPU for its whole run (here it sleeps: what a hash at idle priority
// gets while other work keeps every core busy) was starved, so the worker stops handing hashes
// to the idle thread for a while and runs them itself: logins are not starved.
TEST(IdleHashThread, AfterAStarvedHashTheCallerHashesItself) {
  IdleHashThread hashing;
  const HashRoutingScope routed(hashing);
  EXPECT_FALSE(hashing.starved_lately());
  hashing.run([] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
  EXPECT_TRUE(hashing.starved_lately());
  std::thread::id ran_on;
  detail::run_argon2([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  const Argon2Hasher hasher(kKeptSize);
  const auto hashed = hasher.hash("hashed by the caller");
  ASSERT_TRUE(hashed.has_value());
  EXPECT_TRUE(hasher.verify("hashed by the caller", *hashed));
}

TEST(IdleHashThread, ARoutingThreadsHashesRunOnItsIdleThread) {
  IdleHashThread hashing;
  std::thread::id ran_on;
  {
    const HashRoutingScope routed(hashing);
    detail::run_argon2([&] { ran_on = std::this_thread::get_id(); });
    EXPECT_NE(ran_on, std::this_thread::get_id());
  }
  detail::run_argon2([&] { ran_on = std::this_thread::get_id(); });  // the scope ended
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(HashMemoryKeeper, ServesEveryHashAfterTheFirstFromTheKeptRegion) {
  const Argon2Hasher hasher(kKeptSize);
  HashMemoryKeeper keeper;
  EXPECT_EQ(keeper.kept_bytes(), 0U);
  const auto first = hasher.hash("kept memory");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(keeper.kept_bytes(), kKeptBytes);
  EXPECT_EQ(keeper.reuses(), 0U);
  const auto second = hasher.hash("kept memory");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(keeper.reuses(), 1U);
  EXPECT_TRUE(hasher.verify("kept memory", *first));
  EXPECT_FALSE(hasher.verify("kept memorY", *second));
  EXPECT_EQ(keeper.reuses(), 3U);
  EXPECT_EQ(keeper.kept_bytes(), kKeptBytes);
}

TEST(HashMemoryKeeper, ReleaseGivesTheMemoryBackAndTheNextHashMapsItAgain) {
  const Argon2Hasher hasher(kKeptSize);
  HashMemoryKeeper keeper;
  ASSERT_TRUE(hasher.hash("x").has_value());
  keeper.release();
  EXPECT_EQ(keeper.kept_bytes(), 0U);
  const auto again = hasher.hash("x");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(keeper.kept_bytes(), kKeptBytes);
  EXPECT_EQ(keeper.reuses(), 0U);
  EXPECT_TRUE(hasher.verify("x", *again));
}

TEST(HashMemoryKeeper, AStoredHashOfAnotherCostIsCheckedRightAndKeptInstead) {
  const auto other = Argon2Hasher(kOtherKeptSize).hash("older cost");
  ASSERT_TRUE(other.has_value());
  const Argon2Hasher hasher(kKeptSize);
  HashMemoryKeeper keeper;
  ASSERT_TRUE(hasher.hash("now").has_value());
  EXPECT_TRUE(hasher.verify("older cost", *other));
  EXPECT_FALSE(hasher.verify("older cosT", *other));
  EXPECT_EQ(keeper.kept_bytes(), std::size_t{3072} * 1024);
}

TEST(HashMemoryKeeper, MappingsOutsideArgon2GoToTheSystemUntouched) {
  const Argon2Hasher hasher(kKeptSize);
  HashMemoryKeeper keeper;
  ASSERT_TRUE(hasher.hash("fill the region").has_value());
  // The same size and flags libsodium asks for, but not inside an Argon2 call: fresh, zeroed
  // memory of the system's, and unmapping it unmaps it.
  void* mapped = ::mmap(nullptr, kKeptBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  ASSERT_NE(mapped, MAP_FAILED);
  const std::string zeros(4096, '\0');
  EXPECT_EQ(std::memcmp(mapped, zeros.data(), zeros.size()), 0);
  EXPECT_EQ(::munmap(mapped, kKeptBytes), 0);
  EXPECT_EQ(keeper.reuses(), 0U);
  ASSERT_TRUE(hasher.hash("and again").has_value());
  EXPECT_EQ(keeper.reuses(), 1U);
}

TEST(HashMemoryKeeper, SmallCostsAreNotKept) {
  const Argon2Hasher hasher(Argon2Params{.memory_kib = 8, .iterations = 1});
  HashMemoryKeeper keeper;
  const auto hashed = hasher.hash("tiny");
  ASSERT_TRUE(hashed.has_value());
  EXPECT_TRUE(hasher.verify("tiny", *hashed));
  EXPECT_EQ(keeper.kept_bytes(), 0U);
}

}  // namespace
}  // namespace automation::crypto
