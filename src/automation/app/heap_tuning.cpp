#include "automation/app/heap_tuning.hpp"

#include <malloc.h>

namespace automation::app {

bool keep_freed_heap_memory_for_reuse() {
  // Setting either threshold also ends glibc's dynamic adjustment of both, so both are set.
  const bool trim = ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(kTrimThresholdBytes)) == 1;
  const bool mmap = ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMmapThresholdBytes)) == 1;
  return trim && mmap;
}

}  // namespace automation::app
