#pragma once

// Runs a function every `interval` on a thread of its own until destroyed (housekeeping
// such as audit retention; never on a request path).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace automation::app {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::seconds interval, std::function<void()> task);
  ~PeriodicTask();  // stops promptly, waiting for a run in progress
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started once the members it uses exist
};

}  // namespace automation::app
