#include "automation/core/error.hpp"

namespace automation {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kRuleViolation: return "rule_violation";
    case ErrorCode::kThrottled: return "throttled";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

Error Error::invalid(std::string field, std::string why) {
  std::string message = "Invalid " + field + ": " + why;
  return invalid(std::move(field), std::move(why), std::move(message));
}

Error Error::invalid(std::string field, std::string why, std::string message) {
  Error error{ErrorCode::kInvalidArgument, std::move(message), {}, 0, {}, {}};
  error.fields.emplace(std::move(field), std::move(why));
  return error;
}

Error Error::make(ErrorCode code, std::string message) {
  return Error{code, std::move(message), {}, 0, {}, {}};
}

}  // namespace automation
