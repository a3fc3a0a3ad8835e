#pragma once

// A fixed set of threads for CPU-heavy work (password hashing), with bounded queues so a
// burst of logins is refused (503) instead of queueing without limit, and never runs on the
// threads that answer key-checked requests. The workers run at nice +10, below the I/O
// threads, and hand the hash itself to a thread of their own at idle CPU priority while the
// machine has time to spare (crypto/idle_hash_thread.hpp), so key checks keep their latency
// while hashing saturates the cores; when other work keeps every core busy, a worker hashes
// itself, so logins keep a bounded share and are not starved.
//
// Work comes in two classes. Anonymous work (sign-ups without a key, logins naming no
// account) has a queue of its own and may take at most half the threads (at least one); work
// for accounts (their logins, key holders' password changes) goes first and may take them
// all. So no flood of anonymous work delays or refuses an existing user's login beyond one
// hash per free thread (issue 19, item 2).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace automation::http {

enum class WorkClass {
  kAccount,    // an existing account's login, a key holder's password work
  kAnonymous,  // sign-ups without a key, guesses against names that match no account
};

class WorkerPool {
 public:
  // threads == 0 means one per core. queue_limit counts jobs waiting, not running, in each
  // class's queue.
  WorkerPool(unsigned threads, std::size_t queue_limit);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues the job; false (and the job is not run) when its class's queue is full or the
  // pool stops.
  [[nodiscard]] bool submit(std::function<void()> job, WorkClass work_class = WorkClass::kAccount);

  // Stops accepting jobs, runs the ones already queued, joins the threads. Idempotent.
  void shutdown();

  std::size_t thread_count() const noexcept { return threads_.size(); }
  // Threads anonymous work may take at once.
  std::size_t anonymous_share() const noexcept { return anonymous_share_; }
  // Jobs waiting for a thread (metrics).
  std::size_t queued() const;

 private:
  void work();
  static void run(const std::function<void()>& job);
  // Under mutex_: whether a waiting job may start now.
  bool runnable() const;

  const std::size_t queue_limit_;
  std::size_t anonymous_share_ = 1;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> account_queue_;
  std::deque<std::function<void()>> anonymous_queue_;
  std::size_t anonymous_running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace automation::http
