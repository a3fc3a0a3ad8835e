#pragma once

// Log output (spdlog, stderr): AUTOMATION_LOG_FORMAT (text or one JSON object per line) and
// AUTOMATION_LOG_LEVEL for every line; the access log's own asynchronous logger.

#include <memory>

#include "automation/config/config.hpp"

namespace spdlog {
class logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace automation::app {

// Applies the format and level to the default logger (created by main with the text pattern).
void configure_logging(const config::LoggingConfig& logging);

// The logger of access lines: asynchronous (a request hands its line to a queue; one thread
// formats and writes), writing whole lines to stderr in batches and at least once a second,
// so one write() serves many requests and lines never interleave with other log lines.
// The queue blocks when full rather than drop lines. Destroying it writes what is queued.
class AccessLogger {
 public:
  explicit AccessLogger(config::LoggingConfig::Format format);
  ~AccessLogger();
  AccessLogger(const AccessLogger&) = delete;
  AccessLogger& operator=(const AccessLogger&) = delete;

  const std::shared_ptr<spdlog::logger>& logger() const { return logger_; }

 private:
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace automation::app
