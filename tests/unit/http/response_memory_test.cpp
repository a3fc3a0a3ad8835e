#include "automation/http/response_memory.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace automation::http {
namespace {

constexpr std::size_t kKiB = 1024;

std::shared_ptr<const std::string> text_of(std::size_t bytes) {
  return std::make_shared<const std::string>(bytes, 'x');
}

TEST(ResponseMemory, RefusesBigAnswersPastTheBudgetAndGivesTheBytesBack) {
  int refusals = 0;
  ResponseMemory memory(300 * kKiB, [&refusals] { ++refusals; });
  auto first = memory.hold(nullptr, 200 * kKiB);
  ASSERT_TRUE(first);
  EXPECT_EQ(memory.held_bytes(), 200 * kKiB);
  EXPECT_FALSE(memory.hold(nullptr, 200 * kKiB)) << "400 KiB > 300 KiB";
  EXPECT_EQ(refusals, 1);
  EXPECT_EQ(memory.held_bytes(), 200 * kKiB) << "a refusal holds nothing";
  // Small answers are never refused, even past the budget.
  std::vector<ResponseMemory::Hold> small;
  for (int i = 0; i < 10; ++i) {
    auto hold = memory.hold(nullptr, 60 * kKiB);
    ASSERT_TRUE(hold);
    small.push_back(std::move(*hold));
  }
  EXPECT_EQ(memory.held_bytes(), 800 * kKiB);
  EXPECT_FALSE(memory.admits_big_answer());
  EXPECT_EQ(refusals, 2);
  small.clear();
  first.reset();
  EXPECT_EQ(memory.held_bytes(), 0u);
  EXPECT_TRUE(memory.admits_big_answer());
  EXPECT_TRUE(memory.hold(nullptr, 300 * kKiB)) << "exactly the budget fits";
}

TEST(ResponseMemory, ASharedTextCountsOnceHoweverManyAnswersWriteIt) {
  ResponseMemory memory(300 * kKiB, nullptr);
  const auto list = text_of(200 * kKiB);
  std::vector<ResponseMemory::Hold> holds;
  for (int i = 0; i < 20; ++i) {
    auto hold = memory.hold(list, 100);  // the list plus a pagination of its own
    ASSERT_TRUE(hold) << i;
    holds.push_back(std::move(*hold));
  }
  EXPECT_EQ(memory.held_bytes(), 200 * kKiB + 20 * 100);
  EXPECT_FALSE(memory.hold(text_of(200 * kKiB), 0)) << "another list does not fit";
  holds.erase(holds.begin() + 1, holds.end());
  EXPECT_EQ(memory.held_bytes(), 200 * kKiB + 100);
  holds.clear();
  EXPECT_EQ(memory.held_bytes(), 0u);
}

TEST(ResponseMemory, AdmitsTellsWhatHoldWouldDoAndHoldsNothing) {
  int refusals = 0;
  ResponseMemory memory(300 * kKiB, [&refusals] { ++refusals; });
  const auto list = text_of(200 * kKiB);
  EXPECT_TRUE(memory.admits(list, 0));
  EXPECT_EQ(memory.held_bytes(), 0u);
  auto held = memory.hold(list, 0);
  ASSERT_TRUE(held);
  EXPECT_TRUE(memory.admits(list, 0)) << "already held: adds nothing";
  EXPECT_FALSE(memory.admits(text_of(200 * kKiB), 0));
  EXPECT_EQ(refusals, 1);
}

TEST(ResponseMemory, AMovedHoldReleasesOnce) {
  ResponseMemory memory(kKiB * kKiB, nullptr);
  std::optional<ResponseMemory::Hold> kept;
  {
    auto hold = memory.hold(text_of(100 * kKiB), 10);
    ASSERT_TRUE(hold);
    kept = std::move(hold);
  }
  EXPECT_EQ(memory.held_bytes(), 100 * kKiB + 10);
  kept.reset();
  EXPECT_EQ(memory.held_bytes(), 0u);
}

TEST(ResponseMemory, TheBusyAnswerAsksToRetry) {
  const Response busy = response_memory_full();
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.retry_after_seconds, 1);
}

}  // namespace
}  // namespace automation::http
