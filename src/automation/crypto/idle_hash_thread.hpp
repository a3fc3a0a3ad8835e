#pragma once

// Runs Argon2 computations at the lowest CPU priority, and nothing else there.
//
// Password work (a login, a password change) holds locks and writes the database around its
// hash. Were the whole job run at a low priority, a thread that answers key checks could wait
// for a lock held by a job the scheduler keeps off the CPU (priority inversion); Linux does
// not let an unprivileged thread raise its priority back. So the job runs at normal priority
// and only the hash itself runs here: the caller hands the computation to its own IdleHashThread
// (SCHED_IDLE; nice +19 where that is refused), waits for it, and carries on. A thread that
// answers a request preempts this one as soon as it wakes, so key checks keep their latency
// while logins keep every core busy. The thread also keeps Argon2's memory between hashes
// (hash_memory.hpp).
//
// A caller routes its hashes here with a HashRoutingScope; Argon2Hasher calls run_argon2(),
// which runs inline on threads without one (the CLI, tests).

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace automation::crypto {

class IdleHashThread {
 public:
  IdleHashThread();
  ~IdleHashThread();  // stops the thread (it wipes and gives back the kept memory)
  IdleHashThread(const IdleHashThread&) = delete;
  IdleHashThread& operator=(const IdleHashThread&) = delete;

  // Runs `computation` on the hashing thread and returns when it is done (rethrowing what it
  // threw). One caller at a time: each worker has its own IdleHashThread.
  void run(const std::function<void()>& computation);

  // Gives Argon2's kept memory back (the caller is idle); the next hash maps it again.
  void release_memory();

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void()>* computation_ = nullptr;
  std::exception_ptr failure_;
  bool finished_ = false;
  bool release_requested_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

// While it lives, Argon2 computations of this thread run on `hashing`.
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
// Runs one libsodium Argon2 call: on this thread's IdleHashThread if it routes there, else here.
void run_argon2(const std::function<void()>& computation);
}  // namespace detail

}  // namespace automation::crypto
