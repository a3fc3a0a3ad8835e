// RESTinio wiring: the only translation unit that includes RESTinio. It turns wire requests
// into Request values, matches them with the RouteTable (JSON 404/405 included), runs the
// route's handler on an I/O thread or on the hashing pool, writes the Response back, and
// stops gracefully on SIGINT/SIGTERM.
//
// RESTinio's express router is not used: it matches with std::regex (a few microseconds per
// request on the hot GET routes, and GCC 12 -Wmaybe-uninitialized noise in sanitizer builds),
// and it would be a second matcher next to the one the 404/405 answers need anyway.

#include "automation/http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <exception>
#include <future>
#include <memory>
#include <restinio/http_server_run.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "automation/http/auth.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/login_time.hpp"
#include "automation/http/route_table.hpp"
#include "automation/http/routes.hpp"
#include "automation/http/worker_pool.hpp"

namespace automation::http {
namespace {

// Multi-threaded traits (connections on strands, so pool threads may answer), plain handler.
using ServerTraits = restinio::default_traits_t;
using HttpServer = restinio::http_server_t<ServerTraits>;

// Wire limits. A message over them is dropped by RESTinio with the connection (no answer);
// bodies between max_body_bytes and the hard body limit get a JSON 413.
constexpr std::size_t kMaxUrlBytes = 8 * 1024;
constexpr std::size_t kMaxFieldNameBytes = 256;
constexpr std::size_t kMaxFieldValueBytes = 8 * 1024;
constexpr std::size_t kMaxFieldCount = 64;
constexpr std::uint64_t kMinHardBodyLimit = 1024 * 1024;
// How long a stop waits for requests already being answered (hashing included).
constexpr auto kDrainDeadline = std::chrono::seconds(10);
constexpr auto kDrainPoll = std::chrono::milliseconds(5);

// Shared by every handler; lives for the whole run_server call.
struct ServerState {
  ServerState(const ServerOptions& server_options, RouteContext route_context)
      : options(server_options),
        context(route_context),
        routes(all_routes(context)),
        pool(server_options.hash_threads, server_options.hash_queue_limit) {}

  const ServerOptions& options;
  RouteContext context;
  const RouteTable routes;
  WorkerPool pool;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
};

// Held until the response is written (or dropped with its connection): a stop waits for
// every live token.
class InFlightToken {
 public:
  explicit InFlightToken(std::atomic<std::size_t>& counter) : counter_(counter) { ++counter_; }
  ~InFlightToken() { --counter_; }
  InFlightToken(const InFlightToken&) = delete;
  InFlightToken& operator=(const InFlightToken&) = delete;

 private:
  std::atomic<std::size_t>& counter_;
};
using InFlight = std::shared_ptr<InFlightToken>;

std::optional<Method> from_restinio(const restinio::http_method_id_t& method) {
  if (method == restinio::http_method_get()) return Method::kGet;
  if (method == restinio::http_method_post()) return Method::kPost;
  if (method == restinio::http_method_put()) return Method::kPut;
  if (method == restinio::http_method_delete()) return Method::kDelete;
  return std::nullopt;
}

Request to_request(const restinio::request_t& wire, Method method, std::string parameter) {
  const auto& header = wire.header();
  Request request;
  request.method = method;
  request.path = std::string(header.path());
  request.query = std::string(header.query());
  request.body = wire.body();
  if (const auto* key = header.try_get_field("X-API-KEY")) request.x_api_key = *key;
  if (const auto* authorization = header.try_get_field(restinio::http_field::authorization)) {
    request.authorization = *authorization;
  }
  if (const auto* content_type = header.try_get_field(restinio::http_field::content_type)) {
    request.content_type = *content_type;
  }
  request.address = wire.remote_endpoint().address().to_string();
  request.path_param = std::move(parameter);
  return request;
}

void send(ServerState& state, const restinio::request_handle_t& wire, const Response& response,
          InFlight in_flight) {
  auto builder = wire->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)},
      std::string(reason_phrase(response.status))});
  builder.append_header(restinio::http_field::content_type, "application/json");
  if (response.retry_after_seconds > 0) {
    builder.append_header(restinio::http_field::retry_after,
                          std::to_string(response.retry_after_seconds));
  }
  if (!response.allow.empty()) builder.append_header(restinio::http_field::allow, response.allow);
  if (state.stopping.load(std::memory_order_relaxed)) builder.connection_close();
  // A HEAD answer carries no body (no route serves HEAD: it gets a bodiless 405/404).
  if (wire->header().method() != restinio::http_method_head()) builder.set_body(response.body);
  // One line per request, at debug level only; paths carry no secrets (keys travel in headers).
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("{} {} -> {} ({})", wire->header().method().c_str(),
                  std::string_view(wire->header().path()), response.status,
                  wire->remote_endpoint().address().to_string());
  }
  builder.done([in_flight = std::move(in_flight)](const restinio::asio_ns::error_code&) {});
}

Response run_handler(const Route& route, const Request& request, const Caller& caller) {
  try {
    return route.handle(request, caller);
  } catch (const std::exception& e) {
    spdlog::error("handler of {} {} failed: {}", to_string(route.method), route.pattern, e.what());
  } catch (...) {
    spdlog::error("handler of {} {} failed", to_string(route.method), route.pattern);
  }
  return message_response(500, "Internal server error");
}

restinio::request_handling_status_t handle(ServerState& state, restinio::request_handle_t wire) {
  auto in_flight = std::make_shared<InFlightToken>(state.in_flight);
  const auto method = from_restinio(wire->header().method());
  RouteMatch match = state.routes.match(method, wire->header().path());
  if (match.route == nullptr) {
    send(state, wire, RouteTable::unmatched_response(match), std::move(in_flight));
    return restinio::request_accepted();
  }
  if (wire->body().size() > state.options.max_body_bytes) {
    send(state, wire, message_response(413, "Request body too large"), std::move(in_flight));
    return restinio::request_accepted();
  }
  const Route& route = *match.route;
  Request request = to_request(*wire, route.method, std::move(match.parameter));
  auto caller = authenticate_caller(state.context.api, request, route.key_policy);
  if (!caller) {
    send(state, wire, error_response(caller.error()), std::move(in_flight));
    return restinio::request_accepted();
  }
  if (route.execution == Execution::kIoThread) {
    send(state, wire, run_handler(route, request, *caller), std::move(in_flight));
    return restinio::request_accepted();
  }
  // KDF-bound: answered later by a pool thread, so I/O threads keep serving key checks.
  const bool queued =
      state.pool.submit([&state, &route, wire, in_flight, request = std::move(request),
                         caller = std::move(*caller)]() mutable {
        send(state, wire, run_handler(route, request, caller), std::move(in_flight));
      });
  if (!queued) {
    Response busy = message_response(503, "Server busy, retry later");
    busy.retry_after_seconds = 1;
    send(state, wire, busy, std::move(in_flight));
  }
  return restinio::request_accepted();
}

void run_io(restinio::asio_ns::io_context& io) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("I/O thread: {}", e.what());
    }
  }
}

}  // namespace

Status run_server(AuthorizedApi& api, const ServerOptions& options,
                  const std::function<void(const std::string& address)>& on_listening) {
  auto login_time = LoginTime::create(options.timezone);
  if (!login_time) {
    return fail(ErrorCode::kInvalidArgument, "AUTOMATION_TIMEZONE: " + login_time.error().message);
  }
  ServerState state(options, RouteContext{api, *login_time});

  restinio::asio_ns::io_context io;
  const std::uint64_t hard_body_limit =
      std::max<std::uint64_t>(kMinHardBodyLimit, std::uint64_t{options.max_body_bytes} * 4);
  auto settings = restinio::server_settings_t<ServerTraits>{}
                      .port(options.port)
                      .address(options.host)
                      .request_handler([&state](restinio::request_handle_t wire) {
                        return handle(state, std::move(wire));
                      })
                      .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                                    .max_url_size(kMaxUrlBytes)
                                                    .max_field_name_size(kMaxFieldNameBytes)
                                                    .max_field_value_size(kMaxFieldValueBytes)
                                                    .max_field_count(kMaxFieldCount)
                                                    .max_body_size(hard_body_limit))
                      // The hashing queue is bounded (503 beyond it), so this never bites first.
                      .handle_request_timeout(std::chrono::seconds(60));
  HttpServer server{restinio::external_io_context(io), std::move(settings)};

  restinio::asio_ns::signal_set signals(io, SIGINT, SIGTERM);
  restinio::asio_ns::steady_timer drain_timer(io);
  std::chrono::steady_clock::time_point drain_deadline;
  std::function<void()> check_drained = [&] {
    if (state.in_flight.load() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      io.stop();
      return;
    }
    drain_timer.expires_after(kDrainPoll);
    drain_timer.async_wait([&](const restinio::asio_ns::error_code&) { check_drained(); });
  };
  signals.async_wait([&](const restinio::asio_ns::error_code& error, int /*signal*/) {
    if (error) return;
    state.stopping = true;
    drain_deadline = std::chrono::steady_clock::now() + kDrainDeadline;
    // Stop accepting; requests already received are answered, then the loop stops.
    server.close_async([&]() noexcept { check_drained(); },
                       [&](std::exception_ptr) noexcept { io.stop(); });
  });

  std::promise<std::exception_ptr> opened;
  server.open_async([&opened]() noexcept { opened.set_value(nullptr); },
                    [&opened](std::exception_ptr error) noexcept { opened.set_value(error); });

  const unsigned io_threads = options.io_threads != 0
                                  ? options.io_threads
                                  : std::max(1U, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  threads.reserve(io_threads);
  for (unsigned i = 0; i < io_threads; ++i) threads.emplace_back([&io] { run_io(io); });
  auto join_all = [&] {
    for (auto& thread : threads) thread.join();
    state.pool.shutdown();
  };

  const std::string address = "http://" + options.host + ":" + std::to_string(options.port);
  if (auto error = opened.get_future().get()) {
    io.stop();
    join_all();
    std::string why = "unknown error";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      why = e.what();
    } catch (...) {
    }
    return fail(ErrorCode::kUnavailable, "cannot listen on " + address + ": " + why);
  }
  Status status;
  try {
    if (on_listening) on_listening(address);
  } catch (const std::exception& e) {
    // The caller's announcement failed: stop serving rather than run unannounced.
    status = fail(ErrorCode::kInternal, std::string("on_listening failed: ") + e.what());
    io.stop();
  }
  join_all();
  return status;
}

}  // namespace automation::http
