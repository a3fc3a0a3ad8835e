#include "automation/http/worker_pool.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include "automation/crypto/hash_memory.hpp"
#include "automation/crypto/idle_hash_thread.hpp"

namespace automation::http {
namespace {

// How long an idle worker keeps Argon2's memory for the next password.
constexpr std::chrono::seconds kKeepHashMemoryWhileIdle{10};

// The worker's own priority, for the rest of a job and for the hashes it runs itself when its
// idle-priority hashing thread is starved (crypto/idle_hash_thread.hpp): below the I/O threads,
// with a bounded share of the CPU when every core is busy. Linux applies a nice value per
// thread (the tid). Failure only costs that preference.
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
  anonymous_share_ = std::max(1U, threads / 2);
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { shutdown(); }

bool WorkerPool::submit(std::function<void()> job, WorkClass work_class) {
  {
    const std::lock_guard lock(mutex_);
    auto& queue = work_class == WorkClass::kAnonymous ? anonymous_queue_ : account_queue_;
    if (stopping_ || queue.size() >= queue_limit_) return false;
    queue.push_back(std::move(job));
  }
  // Every waiting thread: the one woken must be one that may take this class.
  wake_.notify_all();
  return true;
}

std::size_t WorkerPool::queued() const {
  const std::lock_guard lock(mutex_);
  return account_queue_.size() + anonymous_queue_.size();
}

bool WorkerPool::runnable() const {
  return !account_queue_.empty() ||
         (!anonymous_queue_.empty() && anonymous_running_ < anonymous_share_);
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
  // Argon2's memory stays mapped while password work keeps coming (crypto/hash_memory.hpp),
  // and the hashes run on a thread of this worker's at idle priority while the machine has
  // time to spare (crypto/idle_hash_thread.hpp).
  crypto::HashMemoryKeeper hash_memory;
  crypto::IdleHashThread hashing;
  const crypto::HashRoutingScope hashes_run_at_idle_priority(hashing);
  for (;;) {
    std::function<void()> job;
    bool anonymous = false;
    {
      std::unique_lock lock(mutex_);
      const auto ready = [this] {
        return runnable() || (stopping_ && account_queue_.empty() && anonymous_queue_.empty());
      };
      if (!wake_.wait_for(lock, kKeepHashMemoryWhileIdle, ready)) {
        hash_memory.release();  // idle: give Argon2's memory back
        wake_.wait(lock, ready);
      }
      if (!account_queue_.empty()) {
        job = std::move(account_queue_.front());
        account_queue_.pop_front();
      } else if (!anonymous_queue_.empty() && anonymous_running_ < anonymous_share_) {
        job = std::move(anonymous_queue_.front());
        anonymous_queue_.pop_front();
        anonymous = true;
        ++anonymous_running_;
      } else {
        return;  // stopping and drained
      }
    }
    run(job);
    if (anonymous) {
      {
        const std::lock_guard lock(mutex_);
        --anonymous_running_;
      }
      wake_.notify_all();  // anonymous work may have waited for this thread's share
    }
  }
}

void WorkerPool::run(const std::function<void()>& job) {
  try {
    job();
  } catch (const std::exception& e) {
    // A job is expected to answer its request itself; this is a bug guard only.
    spdlog::error("worker job failed: {}", e.what());
  } catch (...) {
    spdlog::error("worker job failed with an unknown exception");
  }
}

}  // namespace automation::http
