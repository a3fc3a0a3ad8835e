#include "automation/http/access_log.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace automation::http {

void append_json_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
}

AccessLog::AccessLog(std::shared_ptr<spdlog::logger> logger, LogFormat format)
    : logger_(std::move(logger)), format_(format) {}

void AccessLog::serving(std::span<const Route>, std::function<std::size_t()>) {}

std::string AccessLog::message(const CompletedRequest& request) const {
  const std::string_view route =
      request.route != nullptr ? std::string_view(request.route->pattern) : "unmatched";
  const double millis =
      std::chrono::duration<double, std::milli>(request.duration).count();
  std::string line;
  line.reserve(160);
  if (format_ == LogFormat::kText) {
    fmt::format_to(std::back_inserter(line), "{} {} {} {:.3f}ms client={} request_id={}",
                   request.method, route, request.status, millis, request.client_address,
                   request.request_id);
    return line;
  }
  // Every field comes from a small alphabet (methods, our route patterns, IP addresses,
  // validated request ids); escaped all the same, so a line is always valid JSON.
  line += "\"event\":\"access\",\"method\":\"";
  append_json_escaped(line, request.method);
  line += "\",\"route\":\"";
  append_json_escaped(line, route);
  fmt::format_to(std::back_inserter(line), "\",\"status\":{},\"duration_ms\":{:.3f},\"client\":\"",
                 request.status, millis);
  append_json_escaped(line, request.client_address);
  line += "\",\"request_id\":\"";
  append_json_escaped(line, request.request_id);
  line += '"';
  return line;
}

void AccessLog::completed(const CompletedRequest& request) noexcept {
  try {
    logger_->info(message(request));
  } catch (...) {
    // A log line is never worth failing a request for.
  }
}

}  // namespace automation::http
