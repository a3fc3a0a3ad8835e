#include "automation/http/error_mapping.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "automation/http/json_views.hpp"

namespace automation::http {

int http_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kRuleViolation:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kThrottled:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response error_response(const Error& error) {
  const int status = http_status(error.code);
  nlohmann::json body = nlohmann::json::object();
  if (error.code == ErrorCode::kInternal) {
    // The detail may name driver internals: it goes to the log, the client gets a generic line.
    spdlog::error("internal error: {}", error.message);
    body["message"] = "Internal server error";
  } else {
    body["message"] = error.message;
    if (!error.fields.empty()) body["errors"] = error.fields;
    if (!error.type.empty()) body["error_type"] = error.type;
  }
  Response response = json_response(status, body);
  if (status == 429 || status == 503) {
    response.retry_after_seconds = std::max(1L, error.retry_after_seconds);
  }
  return response;
}

}  // namespace automation::http
