#include "automation/oidc/oauth_error.hpp"

namespace automation::oidc {

Error oauth_error(std::string_view type, std::string description) {
  ErrorCode code = ErrorCode::kInvalidArgument;
  if (type == kInvalidClient || type == kInvalidToken) code = ErrorCode::kUnauthenticated;
  if (type == kAccessDenied) code = ErrorCode::kPermissionDenied;
  if (type == kServerError) code = ErrorCode::kInternal;
  if (type == kTemporarilyUnavailable) code = ErrorCode::kUnavailable;
  Error error = Error::make(code, std::move(description));
  error.type = std::string(type);
  return error;
}

std::string oauth_error_type(const Error& error) {
  if (!error.type.empty()) return error.type;
  switch (error.code) {
    case ErrorCode::kUnavailable:
      return std::string(kTemporarilyUnavailable);
    case ErrorCode::kInternal:
      return std::string(kServerError);
    case ErrorCode::kUnauthenticated:
      return std::string(kInvalidClient);
    case ErrorCode::kThrottled:
      return std::string(kInvalidClient);
    case ErrorCode::kPermissionDenied:
      return std::string(kAccessDenied);
    default:
      return std::string(kInvalidRequest);
  }
}

}  // namespace automation::oidc
