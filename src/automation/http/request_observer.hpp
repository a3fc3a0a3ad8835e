#pragma once

// What the server tells observers (metrics, the access log) about the requests it answers.
// Called on the thread that answers: implementations must be cheap and thread-safe.

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <string_view>

#include "automation/http/routes.hpp"

namespace automation::http {

struct CompletedRequest {
  // The route in the table's order (RouteTable::routes()), or nullptr when none matched
  // (404, 405: then `method` is the method as sent).
  const Route* route = nullptr;
  std::size_t route_index = 0;
  std::string_view method = {};  // "GET", ... (the wire's, for unmatched requests)
  int status = 0;
  std::chrono::steady_clock::duration duration{};  // from the request's arrival to its response
  std::string_view client_address = {};
  std::string_view request_id = {};
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // Once, before the first request: the routes served (indexes of CompletedRequest) and a
  // probe of the hashing pool's queue (jobs waiting), valid until the server returns.
  virtual void serving(std::span<const Route> routes,
                       std::function<std::size_t()> hash_queue_depth) = 0;
  // Once per response handed to the connection.
  virtual void completed(const CompletedRequest& request) noexcept = 0;
  // The server returned: the queue probe given to serving() must not be called any more.
  virtual void stopped() noexcept = 0;
  // A KDF job was refused because the hashing queue was full (the request got 503).
  virtual void hash_queue_full() noexcept = 0;
  // A big answer was refused (503) because unwritten answers held the response memory budget.
  virtual void response_memory_full() noexcept {}
  // A new connection was closed at once: its client address held
  // AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS connections already.
  virtual void connection_refused() noexcept {}
};

}  // namespace automation::http
