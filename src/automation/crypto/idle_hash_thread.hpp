#pragma once

// Runs Argon2 computations at the lowest CPU priority while the machine has time to spare.
//
// A hashing worker hands the hash itself (the libsodium call, nothing else) to its own
// IdleHashThread (SCHED_IDLE; nice +19 where that is refused) and waits for it. The scheduler
// gives that thread only the time no other thread wants and takes the core back the moment a
// thread with a request to answer wakes, so key checks keep their latency while logins keep
// every core busy. The thread holds no lock while it hashes.
//
// SCHED_IDLE gets almost nothing while other work keeps every core busy (a flood of cheap
// requests, another program): logins would then wait without bound. So each hash's wall time
// is compared with the CPU time it got; a hash that got under a third of a core was starved,
// and for the next second the worker hashes on its own thread (nice +10, a bounded share of
// the CPU) before it tries the idle thread again.
//
// A caller routes its hashes here with a HashRoutingScope; Argon2Hasher calls run_argon2(),
// which runs inline on threads without one (the CLI, tests). The hash uses the caller's kept
// Argon2 memory (hash_memory.hpp), wherever it runs.

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace automation::crypto {

class IdleHashThread {
 public:
  IdleHashThread();
  ~IdleHashThread();
  IdleHashThread(const IdleHashThread&) = delete;
  IdleHashThread& operator=(const IdleHashThread&) = delete;

  // Runs `computation` on the idle-priority thread and returns when it is done (rethrowing
  // what it threw). One caller at a time: each worker has its own IdleHashThread.
  void run(const std::function<void()>& computation);

  // Whether a hash run here was starved of CPU within the last second (see above). Caller's
  // thread only.
  [[nodiscard]] bool starved_lately() const;

  // Whether a hash that took `wall` while getting `cpu` of a core was starved.
  [[nodiscard]] static bool starved(std::chrono::nanoseconds wall,
                                    std::chrono::nanoseconds cpu) noexcept;

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void()>* computation_ = nullptr;
  std::exception_ptr failure_;
  std::chrono::nanoseconds last_cpu_{0};
  bool finished_ = false;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point starved_until_{};  // caller's thread only
  std::thread thread_;  // last: started once everything above exists
};

// While it lives, Argon2 computations of this thread run on `hashing` (unless starved).
class HashRoutingScope {
 public:
  explicit HashRoutingScope(IdleHashThread& hashing) noexcept;
  ~HashRoutingScope();
  HashRoutingScope(const HashRoutingScope&) = delete;
  HashRoutingScope& operator=(const HashRoutingScope&) = delete;

 private:
  IdleHashThread* previous_;
};

namespace detail {
// Runs one libsodium Argon2 call: on this thread's IdleHashThread if it routes there and it
// was not starved lately, else here.
void run_argon2(const std::function<void()>& computation);
}  // namespace detail

}  // namespace automation::crypto
