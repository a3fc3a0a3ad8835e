#pragma once

// A fixed set of threads for CPU-heavy work (password hashing), with a bounded queue so a
// burst of logins is refused (503) instead of queueing without limit, and never runs on the
// threads that answer key-checked requests.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace automation::http {

class WorkerPool {
 public:
  // threads == 0 means one per core. queue_limit counts jobs waiting, not running.
  WorkerPool(unsigned threads, std::size_t queue_limit);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues the job; false (and the job is not run) when the queue is full or the pool stops.
  [[nodiscard]] bool submit(std::function<void()> job);

  // Stops accepting jobs, runs the ones already queued, joins the threads. Idempotent.
  void shutdown();

  std::size_t thread_count() const noexcept { return threads_.size(); }
  // Jobs waiting for a thread (metrics).
  std::size_t queued() const;

 private:
  void work();

  const std::size_t queue_limit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace automation::http
