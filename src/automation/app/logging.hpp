#pragma once

// Log output (spdlog, stderr): AUTOMATION_LOG_FORMAT (text or one JSON object per line) and
// AUTOMATION_LOG_LEVEL for every line; the access log's own asynchronous logger.

#include <memory>

#include "automation/config/config.hpp"

namespace spdlog {
class logger;
}

namespace automation::app {

// Applies the format and level to the default logger (created by main with the text format).
void configure_logging(const config::LoggingConfig& logging);
// The text format: "time level message", the message escaped (escape_controls).
void use_text_log_format();

// The logger of access lines. A request formats its line into a shared buffer (under the
// sink's mutex, a fraction of a microsecond); whole lines go to stderr in one write() per
// 32 KiB and at least once a second (spdlog's periodic flush), so a request almost never
// makes a system call and lines never interleave with other log lines. spdlog's asynchronous
// logger was measured and rejected: its queue signals a condition variable per line, which
// cost the authenticated GET a third of its throughput. Destroying it writes what is pending.
class AccessLogger {
 public:
  explicit AccessLogger(config::LoggingConfig::Format format);
  ~AccessLogger();
  AccessLogger(const AccessLogger&) = delete;
  AccessLogger& operator=(const AccessLogger&) = delete;

  const std::shared_ptr<spdlog::logger>& logger() const { return logger_; }

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace automation::app
