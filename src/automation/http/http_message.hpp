#pragma once

// Transport-neutral request and response values. server.cpp (the only translation unit that
// includes RESTinio) fills a Request from the wire and writes a Response back; everything
// else in the http layer sees only these plain values.

#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

namespace automation::http {

// Values are 0..3 in this order (route_table.cpp indexes an array with them).
enum class Method { kGet, kPost, kPut, kDelete };

// "GET", "POST", "PUT", "DELETE".
const char* to_string(Method method) noexcept;

struct Request {
  Method method = Method::kGet;
  std::string path;                          // raw target path, without the query
  std::string query;                         // raw query string, without the '?'
  std::string body;                          // at most ServerOptions::max_body_bytes
  std::optional<std::string> x_api_key;      // X-API-KEY header, when present
  std::optional<std::string> authorization;  // Authorization header, when present
  std::optional<std::string> content_type;   // Content-Type header, when present
  std::string address;                       // client IP address (throttling, audit)
  // The route's `:name` segments, in order, percent-decoded (:username, :jti, :session_id).
  std::vector<std::string> path_params;
};

struct Response {
  int status = 200;
  std::string body;              // JSON text unless content_type says otherwise
  std::string_view content_type = "application/json";  // a literal (static storage)
  // When set, the body is this text followed by `body` (usually empty): a large text kept for
  // many responses, such as a rendered user list, is shared rather than copied.
  std::shared_ptr<const std::string> shared_body;
  long retry_after_seconds = 0;  // > 0: a Retry-After header is sent
  std::string allow;             // non-empty: an Allow header is sent (405)
};

// Standard reason phrase of a status code ("Not Found"); "Unknown" for codes we never send.
std::string_view reason_phrase(int status) noexcept;

}  // namespace automation::http
