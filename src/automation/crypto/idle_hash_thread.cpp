#include "automation/crypto/idle_hash_thread.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <utility>

#include "automation/crypto/hash_memory.hpp"

namespace automation::crypto {
namespace {

thread_local IdleHashThread* tls_hash_routing = nullptr;

// How long a worker hashes on its own thread after the idle thread was starved.
constexpr std::chrono::seconds kHashInlineAfterStarving{1};

// SCHED_IDLE: the scheduler runs this thread only when no normal thread wants the core, and
// preempts it the moment one wakes. Lowering one's own priority needs no privilege; if a
// sandbox refuses it anyway, nice +19 is the next best.
void run_this_thread_at_idle_priority() {
  const sched_param no_priority{};
  if (::sched_setscheduler(0, SCHED_IDLE, &no_priority) == 0) return;
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  static_cast<void>(::setpriority(PRIO_PROCESS, tid, 19));
}

std::chrono::nanoseconds this_threads_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

IdleHashThread::IdleHashThread() : thread_([this] { work(); }) {}

IdleHashThread::~IdleHashThread() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool IdleHashThread::starved(std::chrono::nanoseconds wall, std::chrono::nanoseconds cpu) noexcept {
  // Under a third of a core; the millisecond spares very short hashes the noise of a wakeup.
  return wall > 3 * cpu + std::chrono::milliseconds(1);
}

bool IdleHashThread::starved_lately() const {
  return std::chrono::steady_clock::now() < starved_until_;
}

void IdleHashThread::run(const std::function<void()>& computation) {
  const auto started = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  computation_ = &computation;
  finished_ = false;
  failure_ = nullptr;
  wake_.notify_one();
  done_.wait(lock, [this] { return finished_; });
  computation_ = nullptr;
  const auto ended = std::chrono::steady_clock::now();
  if (starved(ended - started, last_cpu_)) starved_until_ = ended + kHashInlineAfterStarving;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void IdleHashThread::work() {
  run_this_thread_at_idle_priority();
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || (computation_ != nullptr && !finished_); });
    if (stopping_) return;
    const std::function<void()>& computation = *computation_;
    lock.unlock();
    const auto cpu_before = this_threads_cpu_time();
    std::exception_ptr failure;
    try {
      computation();
    } catch (...) {
      failure = std::current_exception();
    }
    const auto cpu = this_threads_cpu_time() - cpu_before;
    lock.lock();
    failure_ = failure;
    last_cpu_ = cpu;
    finished_ = true;
    done_.notify_one();
  }
}

HashRoutingScope::HashRoutingScope(IdleHashThread& hashing) noexcept
    : previous_(std::exchange(tls_hash_routing, &hashing)) {}

HashRoutingScope::~HashRoutingScope() { tls_hash_routing = previous_; }

namespace detail {

void run_argon2(const std::function<void()>& computation) {
  KeptHashRegion* const callers_memory = kept_region_of_this_thread();
  const auto in_argon2 = [&computation, callers_memory] {
    const BorrowedHashRegion memory(callers_memory);
    const Argon2CallScope kept_memory_may_serve;  // hash_memory.hpp
    computation();
  };
  if (tls_hash_routing != nullptr && !tls_hash_routing->starved_lately()) {
    tls_hash_routing->run(in_argon2);
  } else {
    in_argon2();
  }
}

}  // namespace detail
}  // namespace automation::crypto
