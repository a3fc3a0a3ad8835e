#pragma once

// The process's open-file limit (RLIMIT_NOFILE) and the connection limit derived from it.
// Every accepted connection is a descriptor; the database, its WAL files and the server's
// own event descriptors need some too, so connections get the limit minus a reserve.

#include <cstddef>
#include <cstdint>

namespace automation::app {

struct DescriptorLimit {
  std::uint64_t soft = 0;  // the limit in force after raise_descriptor_limit()
  std::uint64_t hard = 0;
  std::uint64_t soft_before = 0;  // what the process started with
};

// Raises the soft RLIMIT_NOFILE to the hard limit (or to the kernel's per-process maximum
// when the hard limit is unlimited) and reports both. Never lowers it; if the raise is
// refused the limit stays as it was.
DescriptorLimit raise_descriptor_limit();

// Descriptors kept out of the connection limit for everything else the process opens.
std::uint64_t reserved_descriptors(std::uint64_t descriptor_limit);

// The default AUTOMATION_MAX_CONNECTIONS for a descriptor limit: the limit minus
// reserved_descriptors(), at least kMinDefaultConnections and at most kMaxDefaultConnections
// (beyond that a single process on a 2-core machine gains nothing from more sockets).
inline constexpr std::size_t kMinDefaultConnections = 8;
inline constexpr std::size_t kMaxDefaultConnections = 10'000;
std::size_t default_max_connections(std::uint64_t descriptor_limit);

}  // namespace automation::app
