#include "automation/http/rendered_list_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <memory>
#include <string>
#include <thread>

namespace automation::http {
namespace {

using Key = RenderedListCache::Key;

RenderedListCache::Text text(const char* value) { return std::make_shared<const std::string>(value); }

TEST(RenderedListCache, AnswersOnlyForTheVersionAndListKept) {
  RenderedListCache cache;
  EXPECT_EQ(cache.find(1, Key{}), nullptr);
  cache.keep(1, Key{}, text("all"));
  cache.keep(1, Key{1, 10000}, text("page"));
  EXPECT_EQ(*cache.find(1, Key{}), "all");
  EXPECT_EQ(*cache.find(1, Key{1, 10000}), "page");
  EXPECT_EQ(cache.find(1, Key{2, 10000}), nullptr);
  EXPECT_EQ(cache.find(2, Key{}), nullptr);  // the list changed since
  EXPECT_EQ(cache.find(0, Key{}), nullptr);
}

TEST(RenderedListCache, ANewerVersionDropsEverythingOlderAndAnOlderOneIsNotKept) {
  RenderedListCache cache;
  cache.keep(5, Key{}, text("v5"));
  cache.keep(5, Key{1, 100}, text("v5 page"));
  cache.keep(6, Key{}, text("v6"));
  EXPECT_EQ(cache.find(5, Key{}), nullptr);
  EXPECT_EQ(cache.find(6, Key{1, 100}), nullptr);
  cache.keep(5, Key{}, text("late v5"));  // rendered from an older snapshot
  EXPECT_EQ(cache.find(5, Key{}), nullptr);
  EXPECT_EQ(*cache.find(6, Key{}), "v6");
}

TEST(RenderedListCache, KeepsABoundedNumberOfLists) {
  RenderedListCache cache;
  for (std::int64_t page = 1; page <= 3 * static_cast<std::int64_t>(RenderedListCache::kMaxKept);
       ++page) {
    cache.keep(1, Key{page, 100}, text("p"));
  }
  std::size_t kept = 0;
  for (std::int64_t page = 1; page <= 3 * static_cast<std::int64_t>(RenderedListCache::kMaxKept);
       ++page) {
    if (cache.find(1, Key{page, 100})) ++kept;
  }
  EXPECT_EQ(kept, RenderedListCache::kMaxKept);
}

TEST(RenderedListCache, TheListKeptLongestAgoGoesFirst) {
  RenderedListCache cache;
  const auto count = static_cast<std::int64_t>(RenderedListCache::kMaxKept);
  cache.keep(1, Key{1, 20}, text("first page"));
  for (std::int64_t page = 2; page <= count; ++page) cache.keep(1, Key{page, 20}, text("p"));
  cache.keep(1, Key{1, 20}, text("first page again"));  // kept anew: now the youngest
  cache.keep(1, Key{count + 1, 20}, text("one more"));
  EXPECT_EQ(*cache.find(1, Key{1, 20}), "first page again");
  EXPECT_EQ(cache.find(1, Key{2, 20}), nullptr);  // the oldest made room
  EXPECT_EQ(*cache.find(1, Key{count + 1, 20}), "one more");
}

TEST(RenderedListCache, KeepsABoundedNumberOfBytesButAlwaysTheNewestList) {
  RenderedListCache cache;
  const std::size_t big = RenderedListCache::kMaxKeptBytes / 2 + 1;
  cache.keep(1, Key{1, 20}, text("small"));
  cache.keep(1, Key{}, std::make_shared<const std::string>(big, 'a'));
  cache.keep(1, Key{1, 10000}, std::make_shared<const std::string>(big, 'b'));
  EXPECT_EQ(cache.find(1, Key{}), nullptr);         // both big ones would not fit
  EXPECT_EQ(cache.find(1, Key{1, 20}), nullptr);    // older than the whole list: went first
  EXPECT_EQ(cache.find(1, Key{1, 10000})->size(), big);
  const std::size_t too_big = RenderedListCache::kMaxKeptBytes + 1;
  cache.keep(1, Key{2, 10000}, std::make_shared<const std::string>(too_big, 'c'));
  EXPECT_EQ(cache.find(1, Key{2, 10000})->size(), too_big);
  EXPECT_EQ(cache.find(1, Key{1, 10000}), nullptr);
}

TEST(RenderedListCache, BigListsAreRenderedOneAtATime) {
  EXPECT_TRUE(RenderedListCache::is_big(Key{}));
  EXPECT_TRUE(RenderedListCache::is_big(Key{1, 10000}));
  EXPECT_TRUE(RenderedListCache::is_big(Key{2, RenderedListCache::kBigLimit}));
  EXPECT_FALSE(RenderedListCache::is_big(Key{1, 20}));
  RenderedListCache cache;
  auto first = cache.render_alone(1, Key{});
  ASSERT_FALSE(first.busy());
  // Another big list meanwhile: no waiting, a busy turn. (Asked from another thread: the mutex
  // is not the asking thread's to try again.)
  std::thread([&] {
    EXPECT_TRUE(cache.render_alone(1, Key{1, 5000}).busy());
    EXPECT_TRUE(cache.render_alone(2, Key{}).busy()) << "the same list at another version";
  }).join();
  // The same list: waits for the turn.
  std::atomic<bool> asking{false};
  std::atomic<bool> rendering{false};
  std::thread other([&] {
    asking = true;
    auto second = cache.render_alone(1, Key{});
    EXPECT_FALSE(second.busy());
    rendering = true;
  });
  while (!asking) std::this_thread::yield();
  // Ample time for the other renderer to get in, were it not kept out.
  for (int i = 0; i < 10000 && !rendering; ++i) std::this_thread::yield();
  EXPECT_FALSE(rendering) << "a second big render ran while the first held the turn";
  { [[maybe_unused]] auto released = std::move(first); }
  other.join();
  EXPECT_TRUE(rendering);
  EXPECT_FALSE(cache.render_alone(1, Key{1, 5000}).busy()) << "nobody renders now";
}

// Pages that reach the end of the list share the text of their rows, keyed by their first row;
// until a read told the total, every page is a list of its own.
TEST(RenderedListCache, PagesReachingTheEndAreKeyedByTheirFirstRow) {
  EXPECT_EQ(RenderedListCache::page_key(1, 30000, std::nullopt), (Key{1, 30000}));
  EXPECT_EQ(RenderedListCache::page_key(1, 20000, 20000), Key::rows_to_end(0));
  EXPECT_EQ(RenderedListCache::page_key(1, 25000, 20000), Key::rows_to_end(0));
  EXPECT_EQ(RenderedListCache::page_key(1, 19999, 20000), (Key{1, 19999})) << "one row left";
  EXPECT_EQ(RenderedListCache::page_key(2, 1500, 2000), Key::rows_to_end(1500));
  EXPECT_EQ(RenderedListCache::page_key(4, 500, 2000), Key::rows_to_end(1500));
  EXPECT_EQ(RenderedListCache::page_key(3, 500, 2000), (Key{3, 500}));
  // Pages past the end are empty, whatever their number and limit; no overflow on the way.
  EXPECT_EQ(RenderedListCache::page_key(9, 500, 2000), Key::rows_to_end(2000));
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(RenderedListCache::page_key(kMax, kMax, 2000), Key::rows_to_end(2000));
  EXPECT_EQ(RenderedListCache::page_key(1, kMax, 2000), Key::rows_to_end(0));
  EXPECT_EQ(RenderedListCache::page_key(kMax, 1, 0), Key::rows_to_end(0));
}

TEST(RenderedListCache, RemembersTheTotalOfTheVersionKept) {
  RenderedListCache cache;
  EXPECT_EQ(cache.total(1), std::nullopt);
  cache.keep(1, Key{1, 20}, text("page"), 2000);
  EXPECT_EQ(cache.total(1), 2000);
  EXPECT_EQ(cache.total(2), std::nullopt);
  cache.keep(2, Key{1, 20}, text("page"));
  EXPECT_EQ(cache.total(2), std::nullopt) << "a new version forgets the old total";
  EXPECT_EQ(cache.total(1), std::nullopt);
}

}  // namespace
}  // namespace automation::http
