#include "automation/http/worker_pool.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace automation::http {
namespace {

// Hashing yields the CPU to the I/O threads: with every core busy deriving keys, requests that
// only check a key must keep their latency (SPEC §7: p99 within 2x while logins saturate).
// Linux applies a nice value per thread (the tid). Failure only costs that preference.
constexpr int kWorkerNice = 10;

void lower_this_threads_priority() {
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  if (::setpriority(PRIO_PROCESS, tid, kWorkerNice) != 0) {
    spdlog::debug("could not lower the hashing thread's priority");
  }
}

}  // namespace

WorkerPool::WorkerPool(unsigned threads, std::size_t queue_limit) : queue_limit_(queue_limit) {
  if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { shutdown(); }

bool WorkerPool::submit(std::function<void()> job) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= queue_limit_) return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

std::size_t WorkerPool::queued() const {
  const std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::shutdown() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerPool::work() {
  lower_this_threads_priority();
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      // A job is expected to answer its request itself; this is a bug guard only.
      spdlog::error("worker job failed: {}", e.what());
    } catch (...) {
      spdlog::error("worker job failed with an unknown exception");
    }
  }
}

}  // namespace automation::http
