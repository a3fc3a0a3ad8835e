#pragma once

// Batches the freshness check that key-checked requests need when it costs a database round
// trip (PostgreSQL: the change feed's position). A request is queued; one gate thread takes
// every request queued so far, runs one check for all of them, and hands them to the I/O
// threads inside that check's mark. Requests arriving during a check wait for the next one,
// which starts after they arrived, so each request still sees every change acknowledged
// before it began — with one query per batch instead of one per request.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace automation::http {

// What the app provides (see LookupCache): a check, and a mark on the running thread.
struct FreshnessHooks {
  // Applies every change committed so far; the epoch reached, or nullopt when the database
  // cannot be read (the requests then run unmarked and check, and fail, on their own).
  std::function<std::optional<std::uint64_t>()> refresh;
  std::function<void(std::uint64_t epoch)> enter;  // this thread's request is fresh at epoch
  std::function<void()> leave;
};

class FreshnessGate {
 public:
  using Task = std::function<void()>;
  // `post` runs a task on an I/O thread.
  FreshnessGate(FreshnessHooks hooks, std::function<void(Task)> post);
  ~FreshnessGate();  // stops the gate thread; tasks still queued are dropped
  FreshnessGate(const FreshnessGate&) = delete;
  FreshnessGate& operator=(const FreshnessGate&) = delete;

  // Runs `task` on an I/O thread once a check that began after this call has completed.
  void submit(Task task);

 private:
  void run();

  FreshnessHooks hooks_;
  std::function<void(Task)> post_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Task> pending_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace automation::http
