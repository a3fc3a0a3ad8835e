#pragma once

// How the server's C library heap gives memory back to the kernel.
//
// glibc returns the free top of a thread's heap to the kernel (madvise MADV_DONTNEED) as soon
// as it exceeds 128 KiB, and a login's temporary buffers cross that line about twice per
// login. Each such call makes the kernel interrupt every other core that runs one of the
// server's threads to flush its TLB: under login load 240-360 interrupts per second landed on
// the I/O threads' cores (docs/performance.md, "Logins beside key checks"). The server keeps
// up to kTrimThresholdBytes of free heap per thread arena instead, and serves blocks of
// kMmapThresholdBytes and more (a big user list) from their own mappings, which go back to
// the kernel when freed, so the memory a process holds stays bounded as before.

#include <cstddef>

namespace automation::app {

inline constexpr std::size_t kTrimThresholdBytes = std::size_t{2} << 20;
inline constexpr std::size_t kMmapThresholdBytes = std::size_t{1} << 20;

// Sets both thresholds for the whole process (call once, before the server's threads start).
// Returns false if the C library refused (a sanitizer's allocator ignores them; nothing else
// depends on it).
bool keep_freed_heap_memory_for_reuse();

}  // namespace automation::app
