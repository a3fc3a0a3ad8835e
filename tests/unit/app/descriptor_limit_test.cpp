#include "automation/app/descriptor_limit.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace automation::app {
namespace {

TEST(DescriptorLimit, DefaultConnectionsLeaveAReserveForTheDatabaseAndFiles) {
  // The common 1024 limit: a quarter stays for everything else.
  EXPECT_EQ(default_max_connections(1024), 768u);
  // A small limit still keeps at least 64 descriptors back.
  EXPECT_EQ(default_max_connections(256), 192u);
  EXPECT_EQ(reserved_descriptors(256), 64u);
  for (std::uint64_t limit : {16ULL, 64ULL, 100ULL, 256ULL, 1024ULL, 4096ULL, 20000ULL}) {
    const auto connections = default_max_connections(limit);
    EXPECT_GE(connections, kMinDefaultConnections) << limit;
    EXPECT_LE(connections, kMaxDefaultConnections) << limit;
    if (limit > 2 * std::uint64_t{64}) {
      EXPECT_LE(connections + reserved_descriptors(limit), limit) << limit;
    }
  }
}

TEST(DescriptorLimit, DefaultConnectionsAreCappedForHugeLimits) {
  EXPECT_EQ(default_max_connections(1ULL << 20), kMaxDefaultConnections);
  EXPECT_EQ(default_max_connections(RLIM_INFINITY), kMaxDefaultConnections);
}

TEST(DescriptorLimit, RaisesTheSoftLimitToTheHardLimit) {
  const DescriptorLimit limit = raise_descriptor_limit();
  rlimit now{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(limit.soft, now.rlim_cur);
  EXPECT_GE(limit.soft, limit.soft_before);
  if (now.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(now.rlim_cur, now.rlim_max);
  }
}

}  // namespace
}  // namespace automation::app
