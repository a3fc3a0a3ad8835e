#include "automation/http/freshness_gate.hpp"

#include <utility>

namespace automation::http {

FreshnessGate::FreshnessGate(FreshnessHooks hooks, std::function<void(Task)> post)
    : hooks_(std::move(hooks)), post_(std::move(post)), thread_([this] { run(); }) {}

FreshnessGate::~FreshnessGate() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void FreshnessGate::submit(Task task) {
  {
    const std::lock_guard lock(mutex_);
    pending_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void FreshnessGate::run() {
  std::vector<Task> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      batch.swap(pending_);  // everything queued before this check starts
    }
    const std::optional<std::uint64_t> epoch = hooks_.refresh();
    for (Task& task : batch) {
      post_([this, epoch, task = std::move(task)] {
        if (epoch) hooks_.enter(*epoch);
        task();
        if (epoch) hooks_.leave();
      });
    }
    batch.clear();
  }
}

}  // namespace automation::http
