#include "automation/http/rendered_list_cache.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

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

TEST(RenderedListCache, OnlyTheWholeListAndBigPagesAreWorthKeeping) {
  EXPECT_TRUE(RenderedListCache::worth_keeping(Key{}));
  EXPECT_TRUE(RenderedListCache::worth_keeping(Key{1, 10000}));
  EXPECT_TRUE(RenderedListCache::worth_keeping(Key{3, RenderedListCache::kMinKeptLimit}));
  EXPECT_FALSE(RenderedListCache::worth_keeping(Key{1, 20}));
}

}  // namespace
}  // namespace automation::http
