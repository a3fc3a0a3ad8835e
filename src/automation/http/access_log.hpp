#pragma once

// The access log: one line per answered request (method, route template, status, duration,
// client address, request id), never a path parameter, query, header value or body, so no key,
// token or password can reach it. Lines go to a spdlog logger the application sets up
// (asynchronous, so a request never waits for the disk).

#include <memory>
#include <string>
#include <string_view>

#include "automation/http/request_observer.hpp"

namespace spdlog {
class logger;
}

namespace automation::http {

enum class LogFormat { kText, kJson };

// Appends `text` as the inside of a JSON string (quotes, backslashes, control bytes escaped).
void append_json_escaped(std::string& out, std::string_view text);

class AccessLog final : public RequestObserver {
 public:
  // kJson: the message is the line's fields without braces ("\"event\":\"access\",...") for a
  // formatter that wraps them with the time and level (app/logging.cpp).
  AccessLog(std::shared_ptr<spdlog::logger> logger, LogFormat format);

  void serving(std::span<const Route> routes,
               std::function<std::size_t()> hash_queue_depth) override;
  void completed(const CompletedRequest& request) noexcept override;
  void stopped() noexcept override {}
  void hash_queue_full() noexcept override {}

  // The message logged for `request` (exposed for tests).
  std::string message(const CompletedRequest& request) const;

 private:
  std::shared_ptr<spdlog::logger> logger_;
  LogFormat format_;
};

}  // namespace automation::http
