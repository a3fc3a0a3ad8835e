#include "automation/app/descriptor_limit.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>

namespace automation::app {
namespace {

// Linux refuses RLIM_INFINITY for RLIMIT_NOFILE; the real ceiling is fs.nr_open.
std::uint64_t kernel_descriptor_ceiling() {
  std::ifstream in("/proc/sys/fs/nr_open");
  std::uint64_t value = 0;
  if (in >> value && value > 0) return value;
  return 1U << 20;  // the kernel's default nr_open
}

// A quarter of the limit, and never fewer than this many: SQLite keeps a database, WAL and
// shared-memory descriptor per pooled connection, plus logs, epoll, eventfd and timerfd.
constexpr std::uint64_t kMinReservedDescriptors = 64;

}  // namespace

DescriptorLimit raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  DescriptorLimit result{limit.rlim_cur, limit.rlim_max, limit.rlim_cur};
  const std::uint64_t target = limit.rlim_max == RLIM_INFINITY
                                   ? kernel_descriptor_ceiling()
                                   : static_cast<std::uint64_t>(limit.rlim_max);
  if (limit.rlim_cur != RLIM_INFINITY && target > limit.rlim_cur) {
    rlimit raised = limit;
    raised.rlim_cur = static_cast<rlim_t>(target);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) result.soft = target;
  }
  return result;
}

std::uint64_t reserved_descriptors(std::uint64_t descriptor_limit) {
  return std::max(kMinReservedDescriptors, descriptor_limit / 4);
}

std::size_t default_max_connections(std::uint64_t descriptor_limit) {
  const std::uint64_t reserve = reserved_descriptors(descriptor_limit);
  const std::uint64_t available = descriptor_limit > reserve ? descriptor_limit - reserve : 0;
  return static_cast<std::size_t>(
      std::clamp<std::uint64_t>(available, kMinDefaultConnections, kMaxDefaultConnections));
}

}  // namespace automation::app
