#pragma once

#include <expected>
#include <map>
#include <string>
#include <utility>

namespace automation {

// Closed set of failure kinds. Callers branch on the code, never on message text;
// the HTTP layer maps each code to a status in exactly one table.
enum class ErrorCode {
  kInvalidArgument,   // input failed validation (fields name the offenders)
  kNotFound,          // the named user/role/token does not exist
  kAlreadyExists,     // a unique name/email/role is taken
  kUnauthenticated,   // missing, unknown, expired or revoked credential
  kPermissionDenied,  // the actor's role may not perform the operation at all
  kRuleViolation,     // the operation is allowed in general but breaks a rule here
  kThrottled,         // too many failures; retry after `retry_after_seconds`
  kUnavailable,       // a dependency (database, worker pool) cannot serve now
  kInternal,          // a bug or an unexpected driver failure
};

// Stable lower-case name of a code, for logs and tests.
const char* to_string(ErrorCode code) noexcept;

// An error value: a typed code, a human-readable message safe to show to a client,
// per-field validation reasons, and (for kThrottled/kUnavailable) a retry hint.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::map<std::string, std::string> fields;
  long retry_after_seconds = 0;
  // A stable name of the specific refusal for clients that branch on it (rendered as
  // "error_type", e.g. "password_reused"); "" for most errors.
  std::string type;
  // What the audit trail records as the reason instead of the message, when the client is
  // told less than the trail (a directory refusal answers like a wrong password); never
  // rendered to a client.
  std::string audit_detail;

  // kInvalidArgument naming `field`; the message is "Invalid <field>: <why>".
  static Error invalid(std::string field, std::string why);
  // The same with a message of its own (where upstream's words are known).
  static Error invalid(std::string field, std::string why, std::string message);
  static Error make(ErrorCode code, std::string message);
};

template <typename T>
using Result = std::expected<T, Error>;

// Result of an operation that yields nothing on success.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected(Error::make(code, std::move(message)));
}
inline std::unexpected<Error> fail(Error error) { return std::unexpected(std::move(error)); }

}  // namespace automation
