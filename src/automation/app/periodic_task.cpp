#include "automation/app/periodic_task.hpp"

#include <utility>

namespace automation::app {

PeriodicTask::PeriodicTask(std::chrono::seconds interval, std::function<void()> task)
    : thread_([this, interval, task = std::move(task)](std::stop_token stop) {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, stop, interval, [] { return false; })) {
          if (stop.stop_requested()) return;
          lock.unlock();
          task();
          lock.lock();
        }
      }) {}

PeriodicTask::~PeriodicTask() {
  thread_.request_stop();
  thread_.join();
}

}  // namespace automation::app
