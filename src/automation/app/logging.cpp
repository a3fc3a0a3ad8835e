#include "automation/app/logging.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <string>

#include "automation/core/text.hpp"
#include "automation/http/access_log.hpp"

namespace automation::app {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v";
constexpr const char* kAccessTextPattern = "%Y-%m-%dT%H:%M:%S.%e %l access %v";

// Text lines with the message escaped as every text output of the tool is (escape_controls):
// a value a line quotes (a database's error, a name) cannot add a line or drive the terminal
// that shows the log.
class EscapingTextFormatter final : public spdlog::formatter {
 public:
  explicit EscapingTextFormatter(std::string pattern)
      : pattern_(std::move(pattern)), inner_(pattern_) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    // Only these bytes can need escaping: plain ASCII lines (every access line) skip the copy.
    const bool plain = std::none_of(payload.begin(), payload.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u < 0x20 || u >= 0x7F || c == '\\';
    });
    if (plain) {
      inner_.format(msg, dest);
      return;
    }
    const std::string escaped = escape_controls(payload);
    spdlog::details::log_msg copy(msg);
    copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
    inner_.format(copy, dest);
    // The colour sink reads where the level's colour goes from the message it passed in.
    msg.color_range_start = copy.color_range_start;
    msg.color_range_end = copy.color_range_end;
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<EscapingTextFormatter>(pattern_);
  }

 private:
  const std::string pattern_;
  spdlog::pattern_formatter inner_;
};

// One JSON object per line: {"time","level","logger","message"}; with `message_is_fields`
// the message already is the object's remaining fields (the access log's), added as they are.
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(bool message_is_fields) : message_is_fields_(message_is_fields) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto since_epoch = msg.time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    const std::time_t time = seconds.count();
    std::string line;
    line.reserve(msg.payload.size() + 96);
    line += fmt::format(R"({{"time":"{:%Y-%m-%dT%H:%M:%S}.{:03d}Z","level":")",
                        fmt::gmtime(time), static_cast<int>(millis));
    const auto level = spdlog::level::to_string_view(msg.level);
    line.append(level.data(), level.size());
    line += R"(","logger":")";
    http::append_json_escaped(line, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    if (message_is_fields_) {
      line += "\",";
      line += payload;
    } else {
      line += R"(","message":")";
      http::append_json_escaped(line, payload);
      line += '"';
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(message_is_fields_);
  }

 private:
  const bool message_is_fields_;
};

// Collects formatted lines and writes them to stderr in one write() per batch (on flush, or
// when 32 KiB are pending), so lines stay whole next to the default logger's.
class BatchedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  ~BatchedStderrSink() override {
    const std::lock_guard lock(mutex_);
    write_pending();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    pending_.append(formatted.data(), formatted.size());
    if (pending_.size() >= kBatchBytes) write_pending();
  }
  void flush_() override { write_pending(); }

 private:
  static constexpr std::size_t kBatchBytes = 32 * 1024;

  void write_pending() {
    std::string_view rest = pending_;
    while (!rest.empty()) {
      const ssize_t written = ::write(STDERR_FILENO, rest.data(), rest.size());
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) break;  // stderr is gone: nothing better to do with the lines
      rest.remove_prefix(static_cast<std::size_t>(written));
    }
    pending_.clear();
  }

  std::string pending_;
};

}  // namespace

void configure_logging(const config::LoggingConfig& logging) {
  spdlog::set_level(spdlog::level::from_str(logging.level));
  if (logging.format == config::LoggingConfig::Format::kJson) {
    spdlog::set_formatter(std::make_unique<JsonFormatter>(/*message_is_fields=*/false));
  } else {
    use_text_log_format();
  }
}

void use_text_log_format() {
  spdlog::set_formatter(std::make_unique<EscapingTextFormatter>(kTextPattern));
}

AccessLogger::AccessLogger(config::LoggingConfig::Format format) {
  auto sink = std::make_shared<BatchedStderrSink>();
  if (format == config::LoggingConfig::Format::kJson) {
    sink->set_formatter(std::make_unique<JsonFormatter>(/*message_is_fields=*/true));
  } else {
    sink->set_formatter(std::make_unique<EscapingTextFormatter>(kAccessTextPattern));
  }
  logger_ = std::make_shared<spdlog::logger>("access", std::move(sink));
  // Access lines are switched by AUTOMATION_ACCESS_LOG, not by the level.
  logger_->set_level(spdlog::level::info);
  spdlog::register_logger(logger_);
  spdlog::flush_every(std::chrono::seconds(1));
}

AccessLogger::~AccessLogger() {
  spdlog::drop("access");
  logger_->flush();
}

}  // namespace automation::app
