#pragma once

// The memory held by answers handed to connections and not yet written. A client that reads
// slowly, or not at all, keeps its answer in memory until the write timeout; many such
// clients asking for big answers (user lists of thousands of users) could take the process's
// memory. The bytes they hold are counted here, against a budget
// (AUTOMATION_RESPONSE_MEMORY_MIB): past it, big answers are refused with 503 and Retry-After
// instead of being held; small ones are always served.
//
// A text shared by several answers (a rendered user list kept by RenderedListCache) is
// counted once, however many connections are writing it: that is the memory it takes.
// Thread-safe.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "automation/http/http_message.hpp"

namespace automation::http {

class ResponseMemory {
 public:
  // Answers (body bytes) below this are never refused: they are bounded by the connection
  // limit, and error answers, pings and key checks must keep working.
  static constexpr std::size_t kBigAnswerBytes = 64 * 1024;

  // `on_refused` is called on every refusal (the metric); it may be empty.
  ResponseMemory(std::size_t budget_bytes, std::function<void()> on_refused);

  // What one answer holds; gives it back when destroyed (written, or dropped with its
  // connection).
  class Hold {
   public:
    Hold(Hold&& other) noexcept;
    Hold& operator=(Hold&& other) noexcept;
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    ~Hold();

   private:
    friend class ResponseMemory;
    Hold(ResponseMemory* memory, std::shared_ptr<const std::string> shared, std::size_t own)
        : memory_(memory), shared_(std::move(shared)), own_(own) {}
    void release() noexcept;

    ResponseMemory* memory_;
    std::shared_ptr<const std::string> shared_;  // kept alive until released: counted by address
    std::size_t own_;
  };

  // Counts an answer whose body is `shared` (may be null) followed by `own_bytes` of its own.
  // nullopt, counting nothing, when the answer is big and what it adds would take the memory
  // held past the budget.
  std::optional<Hold> hold(const std::shared_ptr<const std::string>& shared,
                           std::size_t own_bytes);
  // Whether a big answer may be made now: false (counted as a refusal) when the budget is
  // used up already. Lets a route refuse before reading and rendering a big list.
  bool admits_big_answer();
  // Whether hold(shared, own_bytes) would succeed now, holding nothing: false is counted as a
  // refusal. Lets a route that rendered a big list refuse it before keeping it anywhere.
  bool admits(const std::shared_ptr<const std::string>& shared, std::size_t own_bytes);

  std::size_t held_bytes() const;
  std::size_t budget_bytes() const { return budget_; }

 private:
  // What hold() would add (0 for a shared text already held), or nullopt when it refuses.
  std::optional<std::size_t> fits_locked(const std::shared_ptr<const std::string>& shared,
                                         std::size_t own_bytes) const;
  void release(const std::string* shared, std::size_t own) noexcept;
  void refused() noexcept;

  const std::size_t budget_;
  const std::function<void()> on_refused_;
  mutable std::mutex mutex_;
  std::size_t held_ = 0;
  std::unordered_map<const std::string*, std::size_t> shared_uses_;  // text -> answers writing it
};

// 503 with Retry-After: the answer would take the memory of unwritten answers past the budget.
Response response_memory_full();

}  // namespace automation::http
