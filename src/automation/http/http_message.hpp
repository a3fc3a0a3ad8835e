#pragma once

// Transport-neutral request and response values. server.cpp (the only translation unit that
// includes RESTinio) fills a Request from the wire and writes a Response back; everything
// else in the http layer sees only these plain values.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "automation/http/request_headers.hpp"

namespace automation::http {

// Values are 0..kMethodCount-1 in this order (route_table.cpp indexes an array with them).
enum class Method { kGet, kPost, kPut, kDelete, kHead, kOptions, kPatch };
inline constexpr std::size_t kMethodCount = 7;

// "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH".
const char* to_string(Method method) noexcept;

// GET, HEAD and OPTIONS: methods that change nothing (RFC 9110 §9.2.1), so a cookie may
// authenticate them without a cross-site check.
constexpr bool is_safe_method(Method method) noexcept {
  return method == Method::kGet || method == Method::kHead || method == Method::kOptions;
}

// The method named `name` (exact, upper case as on the wire); nullopt for any other.
std::optional<Method> method_named(std::string_view name) noexcept;

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
  // Every header as sent, looked up on demand (Cookie, Origin, Host, X-Forwarded-*, ...).
  RequestHeaders headers;
};

// A response header beyond those the server adds itself (Set-Cookie, Location, ...).
struct ResponseHeader {
  std::string_view name;  // a literal (static storage)
  std::string value;      // no CR, LF or NUL (the writer refuses them)
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
  // Cache-Control. Everything is no-store (server.cpp says why) but the web console's files,
  // which hold no user data: its index is revalidated, its hashed assets kept a year.
  std::string_view cache_control = "no-store";  // a literal (static storage)
  std::vector<ResponseHeader> headers;  // sent in this order after the server's own

  // Adds a header (see ResponseHeader).
  void add_header(std::string_view name, std::string value) {
    headers.push_back(ResponseHeader{name, std::move(value)});
  }
};

// Standard reason phrase of a status code ("Not Found"); "Unknown" for codes we never send.
std::string_view reason_phrase(int status) noexcept;

}  // namespace automation::http
