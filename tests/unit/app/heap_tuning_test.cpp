#include "automation/app/heap_tuning.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

// Page faults taken by a fresh thread (its own heap arena, as a server thread has) that, 50
// times over, fills 300 blocks of 1 KiB and frees them all: the freed top of its heap exceeds
// glibc's default trim threshold each time. Memory handed back to the kernel faults in again
// on the next round; memory kept does not.
long faults_while_reusing_freed_blocks() {
  long faults = 0;
  std::thread worker([&faults] {
    constexpr int kRounds = 50;
    constexpr std::size_t kBlocks = 300;
    constexpr std::size_t kBlockBytes = 1024;
    std::vector<void*> blocks(kBlocks);
    rusage before{};
    for (int round = 0; round < kRounds; ++round) {
      if (round == 1) ::getrusage(RUSAGE_THREAD, &before);  // the first round faults anyway
      for (auto& block : blocks) {
        block = std::malloc(kBlockBytes);
        std::memset(block, 0x5a, kBlockBytes);
      }
      // In allocation order: the last block freed joins the others and the heap's top.
      for (void* block : blocks) std::free(block);
    }
    rusage after{};
    ::getrusage(RUSAGE_THREAD, &after);
    faults = after.ru_minflt - before.ru_minflt;
  });
  worker.join();
  return faults;
}

TEST(HeapTuning, FreedHeapMemoryIsReusedWithoutFaultingItBackIn) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's allocator replaces glibc's heap and ignores its thresholds";
#else
  // glibc's defaults (each test runs in a process of its own): 49 rounds x ~40 pages given
  // back and faulted in again. This shows the test would see the difference.
  EXPECT_GT(faults_while_reusing_freed_blocks(), 49 * 10);
  ASSERT_TRUE(automation::app::keep_freed_heap_memory_for_reuse());
  EXPECT_LT(faults_while_reusing_freed_blocks(), 49);
#endif
}

}  // namespace
