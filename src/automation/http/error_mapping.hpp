#pragma once

// The one table from core error codes to HTTP status codes, and the JSON error body.

#include "automation/core/error.hpp"
#include "automation/http/http_message.hpp"

namespace automation::http {

// kInvalidArgument/kRuleViolation 400, kUnauthenticated 401, kPermissionDenied 403,
// kNotFound 404, kAlreadyExists 409, kThrottled 429, kInternal 500, kUnavailable 503.
int http_status(ErrorCode code) noexcept;

// {"message": ..., "errors": {field: why}, "error_type": ...} (errors only when the error
// names fields, error_type only when it has a type).
// 429 and 503 carry Retry-After (at least 1 s). Internal errors never show their detail.
Response error_response(const Error& error);

}  // namespace automation::http
