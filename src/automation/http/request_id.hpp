#pragma once

// X-Request-Id: taken from the request when it is safe to echo and log, else generated.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace automation::http {

// At most this many bytes are accepted from a client.
inline constexpr std::size_t kMaxRequestIdBytes = 64;

// True for 1..kMaxRequestIdBytes characters of [A-Za-z0-9._:-]: nothing that could break a
// log line, a JSON string or a response header.
bool is_valid_request_id(std::string_view id) noexcept;

// Unique ids for requests that bring none: a random 64-bit prefix per process and a counter
// ("6f1c0a2b9d3e4f57-2a"), so ids from two server processes never collide and generating one
// costs an atomic increment.
class RequestIdGenerator {
 public:
  RequestIdGenerator();
  std::string next();

 private:
  std::string prefix_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace automation::http
