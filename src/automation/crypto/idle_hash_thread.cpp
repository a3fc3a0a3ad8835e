#include "automation/crypto/idle_hash_thread.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <utility>

#include "automation/crypto/hash_memory.hpp"

namespace automation::crypto {
namespace {

thread_local IdleHashThread* tls_hash_routing = nullptr;

// SCHED_IDLE: the scheduler runs this thread only when no normal thread wants the core, and
// preempts it the moment one wakes. Lowering one's own priority needs no privilege; if a
// sandbox refuses it anyway, nice +19 is the next best.
void run_this_thread_at_idle_priority() {
  const sched_param no_priority{};
  if (::sched_setscheduler(0, SCHED_IDLE, &no_priority) == 0) return;
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  static_cast<void>(::setpriority(PRIO_PROCESS, tid, 19));
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

void IdleHashThread::run(const std::function<void()>& computation) {
  std::unique_lock lock(mutex_);
  computation_ = &computation;
  finished_ = false;
  failure_ = nullptr;
  wake_.notify_one();
  done_.wait(lock, [this] { return finished_; });
  computation_ = nullptr;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void IdleHashThread::release_memory() {
  {
    const std::lock_guard lock(mutex_);
    release_requested_ = true;
  }
  wake_.notify_one();
}

void IdleHashThread::work() {
  run_this_thread_at_idle_priority();
  HashMemoryKeeper kept_memory;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] {
      return stopping_ || release_requested_ || (computation_ != nullptr && !finished_);
    });
    if (stopping_) return;  // the keeper wipes and unmaps on the way out
    if (release_requested_) {
      release_requested_ = false;
      kept_memory.release();
      continue;
    }
    const std::function<void()>& computation = *computation_;
    lock.unlock();
    std::exception_ptr failure;
    try {
      computation();
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    failure_ = failure;
    finished_ = true;
    done_.notify_one();
  }
}

HashRoutingScope::HashRoutingScope(IdleHashThread& hashing) noexcept
    : previous_(std::exchange(tls_hash_routing, &hashing)) {}

HashRoutingScope::~HashRoutingScope() { tls_hash_routing = previous_; }

namespace detail {

void run_argon2(const std::function<void()>& computation) {
  const auto in_argon2 = [&computation] {
    const Argon2CallScope kept_memory_may_serve;  // hash_memory.hpp
    computation();
  };
  if (tls_hash_routing != nullptr) {
    tls_hash_routing->run(in_argon2);
  } else {
    in_argon2();
  }
}

}  // namespace detail
}  // namespace automation::crypto
