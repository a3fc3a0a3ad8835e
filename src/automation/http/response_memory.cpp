#include "automation/http/response_memory.hpp"

#include <utility>

#include "automation/http/json_views.hpp"

namespace automation::http {

ResponseMemory::ResponseMemory(std::size_t budget_bytes, std::function<void()> on_refused)
    : budget_(budget_bytes), on_refused_(std::move(on_refused)) {}

ResponseMemory::Hold::Hold(Hold&& other) noexcept
    : memory_(std::exchange(other.memory_, nullptr)),
      shared_(std::move(other.shared_)),
      own_(other.own_) {}

ResponseMemory::Hold& ResponseMemory::Hold::operator=(Hold&& other) noexcept {
  if (this != &other) {
    release();
    memory_ = std::exchange(other.memory_, nullptr);
    shared_ = std::move(other.shared_);
    own_ = other.own_;
  }
  return *this;
}

ResponseMemory::Hold::~Hold() { release(); }

void ResponseMemory::Hold::release() noexcept {
  if (memory_ == nullptr) return;
  std::exchange(memory_, nullptr)->release(shared_.get(), own_);
  shared_.reset();
}

std::optional<std::size_t> ResponseMemory::fits_locked(
    const std::shared_ptr<const std::string>& shared, std::size_t own_bytes) const {
  const std::size_t shared_bytes = shared ? shared->size() : 0;
  const bool shared_already_held = shared && shared_uses_.contains(shared.get());
  const std::size_t added = own_bytes + (shared_already_held ? 0 : shared_bytes);
  const bool big = own_bytes + shared_bytes >= kBigAnswerBytes;
  if (!big || added == 0 || held_ + added <= budget_) return added;
  return std::nullopt;
}

std::optional<ResponseMemory::Hold> ResponseMemory::hold(
    const std::shared_ptr<const std::string>& shared, std::size_t own_bytes) {
  {
    const std::lock_guard lock(mutex_);
    if (const auto added = fits_locked(shared, own_bytes)) {
      held_ += *added;
      if (shared) ++shared_uses_[shared.get()];
      return Hold(this, shared, own_bytes);
    }
  }
  refused();
  return std::nullopt;
}

bool ResponseMemory::admits(const std::shared_ptr<const std::string>& shared,
                            std::size_t own_bytes) {
  {
    const std::lock_guard lock(mutex_);
    if (fits_locked(shared, own_bytes)) return true;
  }
  refused();
  return false;
}

bool ResponseMemory::admits_big_answer() {
  {
    const std::lock_guard lock(mutex_);
    if (held_ < budget_) return true;
  }
  refused();
  return false;
}

std::size_t ResponseMemory::held_bytes() const {
  const std::lock_guard lock(mutex_);
  return held_;
}

void ResponseMemory::release(const std::string* shared, std::size_t own) noexcept {
  const std::lock_guard lock(mutex_);
  held_ -= own;
  if (shared == nullptr) return;
  auto it = shared_uses_.find(shared);
  if (it == shared_uses_.end()) return;  // cannot happen: every hold of it counted it
  if (--it->second == 0) {
    held_ -= shared->size();
    shared_uses_.erase(it);
  }
}

void ResponseMemory::refused() noexcept {
  if (on_refused_) on_refused_();
}

Response response_memory_full() {
  Response busy = message_response(503, "Server busy writing other answers, retry later");
  busy.retry_after_seconds = 1;
  return busy;
}

}  // namespace automation::http
