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
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <restinio/http_server_run.hpp>
#include <restinio/tls.hpp>
#include <restinio/version.hpp>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "automation/crypto/secret_wipe.hpp"
#include "automation/http/auth.hpp"
#include "automation/http/client_address.hpp"
#include "automation/http/connections_per_address.hpp"
#include "automation/http/cors.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/login_time.hpp"
#include "automation/http/request_id.hpp"
#include "automation/http/response_memory.hpp"
#include "automation/http/route_table.hpp"
#include "automation/http/routes.hpp"
#include "automation/http/tls_context.hpp"
#include "automation/http/worker_pool.hpp"

namespace automation::http {
namespace {

// Multi-threaded traits (connections on strands, so pool threads may answer), plain handler,
// and RESTinio's connection-count limiter: past ServerOptions::max_connections the acceptor
// stops calling accept(), so further clients wait in the kernel's listen backlog and the
// connections being served keep their descriptors and threads. One server code path serves
// both transports: plain TCP, and TLS over asio + OpenSSL (restinio/tls.hpp).
template <typename Socket>
struct ServerTraits : restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t,
                                         restinio::details::autodetect_request_handler_type,
                                         restinio::default_strand_t, Socket> {
  static constexpr bool use_connection_count_limiter = true;
};
using PlainTraits = ServerTraits<restinio::asio_ns::ip::tcp::socket>;
using TlsTraits = ServerTraits<restinio::tls_socket_t>;

// How long the acceptor waits before calling accept() again after it failed (EMFILE, ENFILE,
// ENOBUFS, ENOMEM). The failed connection stays in the backlog, so an immediate retry would
// spin; a short pause lets descriptors free up and still answers within a poll interval.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

// Set while accept() keeps failing, so the log says it once per episode, not 10 times a second.
// (The acceptor specialization below cannot add members to RESTinio's class; one server runs
// per process.)
std::atomic<bool> accept_failing{false};

void note_accept_succeeded() {
  if (accept_failing.exchange(false)) spdlog::info("accepting connections again");
}

// False when the listener was closed (server stopping): nothing to retry. Otherwise logs the
// first failure of an episode.
bool should_retry_accept(const restinio::asio_ns::error_code& error) {
  if (error == restinio::asio_ns::error::operation_aborted ||
      error == restinio::asio_ns::error::bad_descriptor) {
    return false;
  }
  if (!accept_failing.exchange(true)) {
    spdlog::warn("accept failed: {}; retrying every {} ms until descriptors free up",
                 error.message(), kAcceptRetryDelay.count());
  }
  return true;
}

// Connections per client address (AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS), configured by
// run_server before the listener opens. Admitted by the acceptor below and released by the
// connection's destructor (specialized below as well): the one place every connection ends,
// whatever ended it. Like the values above, one per process.
ConnectionsPerAddress connections_per_address;
// Told of every refusal (the metrics count them); set with the limit, before the listener opens.
const std::vector<RequestObserver*>* connection_refusal_observers = nullptr;

// Whether a connection from `peer` may be served; logs the first refusal of an episode.
bool admit_connection_from(const restinio::asio_ns::ip::address& peer) {
  const std::string address = peer.to_string();
  const auto admission = connections_per_address.admit(address);
  if (admission == ConnectionsPerAddress::Admission::kAdmitted) return true;
  if (connection_refusal_observers != nullptr) {
    for (RequestObserver* observer : *connection_refusal_observers) observer->connection_refused();
  }
  if (admission == ConnectionsPerAddress::Admission::kFirstRefused) {
    spdlog::warn("{} holds {} connections (AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS): closing its "
                 "new ones until it has fewer",
                 address, connections_per_address.held(address));
  }
  return false;
}

void connection_ended(const restinio::asio_ns::ip::address& peer) noexcept {
  try {
    connections_per_address.ended(peer.to_string());
  } catch (...) {  // to_string() allocates: a failure leaves one slot counted, nothing worse
  }
}

// How long a TLS client may take to complete its handshake: the read timeout, set by
// run_server before the I/O threads start (one server runs per process).
std::chrono::steady_clock::duration tls_handshake_timeout = std::chrono::seconds(20);

// Shared by a TLS handshake's completion and its deadline timer; whichever comes first
// settles it. The mutex keeps the descriptor open while the timer shuts it down: the
// connection cannot close before its handshake completion has settled.
struct HandshakeDeadline {
  explicit HandshakeDeadline(const restinio::asio_ns::any_io_executor& executor, int socket)
      : timer(executor), descriptor(socket) {}
  restinio::asio_ns::steady_timer timer;
  const int descriptor;
  std::mutex mutex;
  bool settled = false;
};

// RESTinio 0.6.16 runs no timer during the TLS handshake (its read timeout starts after it),
// so a client that connects and sends nothing would hold a connection slot forever, and
// max_connections of them would stop the service. This overload (found by argument-dependent
// lookup, and more specialized than restinio/tls.hpp's for our TLS connections) starts a
// deadline with the handshake; when it passes, shutdown(2) makes the pending handshake read
// fail, and RESTinio closes the connection as for any failed handshake. shutdown() rather than
// closing the asio socket: it does not touch the socket object another thread is using.
template <typename StartRead, typename Failed>
void prepare_connection_and_start_read(restinio::tls_socket_t& socket,
                                       restinio::impl::connection_t<TlsTraits>& connection,
                                       StartRead start_read, Failed failed) {
  auto deadline = std::make_shared<HandshakeDeadline>(socket.get_executor(),
                                                      socket.lowest_layer().native_handle());
  deadline->timer.expires_after(tls_handshake_timeout);
  deadline->timer.async_wait([deadline](const restinio::asio_ns::error_code& error) {
    if (error) return;  // cancelled: the handshake completed first
    const std::lock_guard lock(deadline->mutex);
    if (deadline->settled) return;
    deadline->settled = true;
    ::shutdown(deadline->descriptor, SHUT_RDWR);
  });
  socket.async_handshake(
      restinio::asio_ns::ssl::stream_base::server,
      [start_read = std::move(start_read), failed = std::move(failed), deadline,
       keep_alive = connection.shared_from_this()](const restinio::asio_ns::error_code& error) {
        {
          const std::lock_guard lock(deadline->mutex);
          deadline->settled = true;
          deadline->timer.cancel();
        }
        if (!error) {
          start_read();
        } else {
          failed(error);
        }
      });
}

}  // namespace
}  // namespace automation::http

// ---------------------------------------------------------------------------------------------
// RESTinio 0.6.16's acceptor gives up on an accept error for good: its completion handler only
// handles success, so after one EMFILE (descriptor limit reached) the server never accepts again
// although the process lives on (issue 8). Its limiter also loses a slot whenever a client
// resets a connection between accept() and getpeername(): the exception skips the limiter's
// accounting, and enough such resets would stop accepting just the same.
//
// Neither has a setting, a subclass point (acceptor_t is final) or a traits hook, so these are
// explicit specializations of the two member functions for our traits only; everything else
// in RESTinio stays as shipped. Considered and rejected: closing and reopening the listener
// from a timer (it drops the backlog, races with stop, and leaves the limiter's count of active
// accepts wrong) and the spare-descriptor trick (it accepts and closes the waiting client,
// whereas a limit-respecting server should leave it in the backlog; with the connection limit
// below the descriptor limit EMFILE is rare, so a timed retry is enough).
// The version check makes any RESTinio upgrade revisit these against its acceptor.
static_assert(RESTINIO_VERSION == RESTINIO_VERSION_MAKE(0, 6, 16),
              "acceptor specializations are written against RESTinio 0.6.16: re-check them");

namespace restinio::impl {

// The same two specializations for each transport's traits. A macro because an explicit
// specialization cannot be a template, and the members it needs (the listener, the socket
// pool, the limiter) are private to acceptor_t, so the body cannot move to a shared function.
//
// call_accept_now: starts one accept on the listener's open/close strand, where close() runs
// too (RESTinio's own version starts accepts on the plain I/O executor, from the limiter's
// thread as well, which raced with close() at shutdown under ThreadSanitizer; a closed
// listener starts nothing); on failure waits kAcceptRetryDelay and starts it again,
// keeping the slot counted by the limiter as an active accept throughout (it never was
// released). A pending retry holds a weak reference: a stopped server is not kept alive by it.
//
// accept_connection_for_socket_with_index: hands an accepted socket to a new connection. A
// client that already reset the connection has no remote endpoint: its socket is dropped, and
// the limiter is told a connection came and went, so the accept slot it counted is released
// rather than leaked. A connection from an address that holds
// AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS already is closed at once, the same way: it never
// reaches a connection object, so it holds no slot and no timer.
#define AUTOMATION_RETRYING_ACCEPTOR(TRAITS)                                                    \
  template <>                                                                                   \
  void acceptor_t<TRAITS>::call_accept_now(std::size_t index) noexcept {                        \
    asio_ns::dispatch(get_open_close_operations_executor(), [index,                              \
                                                             ctx = this->shared_from_this()] {   \
      if (!ctx->m_acceptor.is_open()) return; /* stopped meanwhile */                           \
      ctx->m_acceptor.async_accept(                                                             \
          ctx->socket(index).lowest_layer(),                                                    \
          asio_ns::bind_executor(                                                               \
              ctx->get_open_close_operations_executor(),                                        \
              [index, ctx](const asio_ns::error_code& ec) noexcept {                            \
                if (!ec) {                                                                      \
                  automation::http::note_accept_succeeded();                                    \
                  ctx->accept_current_connection(index, ec);                                    \
                  return;                                                                       \
                }                                                                               \
              if (!automation::http::should_retry_accept(ec)) return;                           \
              auto timer = std::make_shared<asio_ns::steady_timer>(ctx->get_executor());       \
              timer->expires_after(automation::http::kAcceptRetryDelay);                        \
              timer->async_wait(asio_ns::bind_executor(                                         \
                  ctx->get_executor(),                                                          \
                  [index, timer, weak = std::weak_ptr<acceptor_t>(ctx)](                        \
                      const asio_ns::error_code& wait_error) noexcept {                         \
                    if (wait_error) return;                                                     \
                    if (auto acceptor = weak.lock()) acceptor->call_accept_now(index);          \
                  }));                                                                          \
              }));                                                                              \
    });                                                                                         \
  }                                                                                             \
                                                                                                \
  template <>                                                                                   \
  void acceptor_t<TRAITS>::accept_connection_for_socket_with_index(std::size_t index) {         \
    static_assert(                                                                              \
        std::is_same_v<TRAITS::ip_blocker_t, restinio::ip_blocker::noop_ip_blocker_t>,          \
        "the IP blocker is not consulted here");                                                \
    auto incoming_socket = this->move_socket(index);                                            \
    asio_ns::error_code error;                                                                  \
    auto remote_endpoint = incoming_socket.lowest_layer().remote_endpoint(error);               \
    if (error || !automation::http::admit_connection_from(remote_endpoint.address())) {         \
      const connection_lifetime_monitor_t came_and_went{&m_connection_count_limiter};           \
      return;                                                                                   \
    }                                                                                           \
    do_accept_current_connection(std::move(incoming_socket), remote_endpoint);                  \
  }

AUTOMATION_RETRYING_ACCEPTOR(automation::http::PlainTraits)
AUTOMATION_RETRYING_ACCEPTOR(automation::http::TlsTraits)
#undef AUTOMATION_RETRYING_ACCEPTOR

// The connection's destructor (RESTinio's only logs) gives its address's slot back: every
// connection the acceptor admitted ends here exactly once, whether it was closed by either
// side, timed out, failed its TLS handshake or was dropped at shutdown. (If creating the
// connection object itself failed, which only a failed allocation does, the slot would stay
// counted: the acceptor cannot tell.)
#define AUTOMATION_COUNTED_CONNECTION(TRAITS)                                                   \
  template <>                                                                                   \
  connection_t<TRAITS>::~connection_t() {                                                       \
    automation::http::connection_ended(m_remote_endpoint.address());                           \
  }

AUTOMATION_COUNTED_CONNECTION(automation::http::PlainTraits)
AUTOMATION_COUNTED_CONNECTION(automation::http::TlsTraits)
#undef AUTOMATION_COUNTED_CONNECTION

}  // namespace restinio::impl

namespace automation::http {
namespace {

// Wire limits. A message over them is dropped by RESTinio with the connection (no answer):
// RESTinio 0.6's parser error path closes the socket without writing, so a 431 for an
// oversized header section cannot be sent. Bodies between max_body_bytes and the hard body
// limit get a JSON 413.
constexpr std::size_t kMaxUrlBytes = 8 * 1024;
constexpr std::size_t kMaxFieldNameBytes = 256;
constexpr std::size_t kMaxFieldValueBytes = 8 * 1024;
constexpr std::size_t kMaxFieldCount = 64;
constexpr std::uint64_t kMinHardBodyLimit = 1024 * 1024;
// RESTinio 0.6.16 with one request in flight per connection (its default) starts reading the
// next request twice when a handler answers before returning (as ours do on the I/O thread):
// once when the handler returns and again when the answer has been written, and the second
// start resets the HTTP parser. A next request already partly read then loses its head, its
// body is parsed as a request line ("parser error HPE_INVALID_METHOD") and the connection is
// closed without an answer: about one large keep-alive request in 100,000 (found by the soak
// test; reproduced with 60 and 70 KiB bodies). With two in flight, an answer written before
// the handler returns leaves room for the next request, so only the first start happens.
constexpr std::size_t kMaxPipelinedRequests = 2;
// From a complete request to its response being started; see handle_request_timeout below.
constexpr auto kHandleRequestTimeout = std::chrono::seconds(60);
// How long a stop waits for requests already being answered (hashing included).
constexpr auto kDrainDeadline = std::chrono::seconds(10);
constexpr auto kDrainPoll = std::chrono::milliseconds(5);

// Shared by every handler; lives for the whole run_server call.
struct ServerState {
  ServerState(const ServerOptions& server_options, RouteContext route_context)
      : options(server_options),
        response_memory(server_options.response_memory_bytes,
                        [&observers = server_options.observers] {
                          for (RequestObserver* observer : observers) {
                            observer->response_memory_full();
                          }
                        }),
        context(with_response_memory(route_context, response_memory)),
        routes(all_routes(context)),
        pool(server_options.hash_threads, server_options.hash_queue_limit) {}

  static RouteContext with_response_memory(RouteContext context, ResponseMemory& memory) {
    context.response_memory = &memory;
    return context;
  }

  const ServerOptions& options;
  ResponseMemory response_memory;
  RouteContext context;
  const RouteTable routes;
  WorkerPool pool;
  RequestIdGenerator request_ids;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
  std::unique_ptr<FreshnessGate> gate;  // set when the app asks for batched freshness
};

// When active, runs the app's request_begins now and its request_ends when the handling on
// this thread is over (on every path out of handle()).
class RequestHooks {
 public:
  RequestHooks(const ServerOptions& options, bool active)
      : options_(options), active_(active) {
    if (active_ && options_.request_begins) options_.request_begins();
  }
  ~RequestHooks() {
    if (active_ && options_.request_ends) options_.request_ends();
  }
  RequestHooks(const RequestHooks&) = delete;
  RequestHooks& operator=(const RequestHooks&) = delete;

 private:
  const ServerOptions& options_;
  const bool active_;
};

// Held until the response is written (or dropped with its connection): a stop waits for
// every live token. It carries what the response and the observers need to know about the
// request.
class InFlightToken {
 public:
  InFlightToken(std::atomic<std::size_t>& counter, std::string id)
      : request_id(std::move(id)), counter_(counter) {
    ++counter_;
  }
  ~InFlightToken() { --counter_; }
  InFlightToken(const InFlightToken&) = delete;
  InFlightToken& operator=(const InFlightToken&) = delete;

  const std::chrono::steady_clock::time_point arrived = std::chrono::steady_clock::now();
  const std::string request_id;  // echoed as X-Request-Id
  const Route* route = nullptr;  // nullptr: no route matched
  std::size_t route_index = 0;    // route's position in the table
  // The response body's share of ResponseMemory, given back with the token.
  std::optional<ResponseMemory::Hold> body_memory;

 private:
  std::atomic<std::size_t>& counter_;
};
using InFlight = std::shared_ptr<InFlightToken>;

std::optional<Method> from_restinio(const restinio::http_method_id_t& method) {
  if (method == restinio::http_method_get()) return Method::kGet;
  if (method == restinio::http_method_post()) return Method::kPost;
  if (method == restinio::http_method_put()) return Method::kPut;
  if (method == restinio::http_method_delete()) return Method::kDelete;
  if (method == restinio::http_method_head()) return Method::kHead;
  if (method == restinio::http_method_options()) return Method::kOptions;
  if (method == restinio::http_method_patch()) return Method::kPatch;
  return std::nullopt;
}

// RequestHeaders' view of the wire request's header block (RESTinio compares names
// case-insensitively).
std::optional<std::string_view> find_wire_header(const void* source, std::string_view name) {
  const auto* header = static_cast<const restinio::http_request_header_t*>(source);
  if (const std::string* value =
          header->try_get_field(restinio::string_view_t(name.data(), name.size()))) {
    return std::string_view(*value);
  }
  return std::nullopt;
}

std::optional<std::string_view> wire_header(const restinio::request_t& wire,
                                            std::string_view name) {
  return find_wire_header(&wire.header(), name);
}

// The client address: the peer, or what trusted proxies say in X-Forwarded-For (every
// occurrence of the header, joined in order as RFC 9110 §5.3 allows).
std::string client_address_of(const restinio::request_t& wire,
                              const std::vector<std::string>& trusted_proxies) {
  std::string peer = wire.remote_endpoint().address().to_string();
  if (trusted_proxies.empty()) return peer;
  std::string forwarded_for;
  wire.header().for_each_value_of(
      "X-Forwarded-For", [&forwarded_for](restinio::string_view_t value) {
        if (!forwarded_for.empty()) forwarded_for += ", ";
        forwarded_for.append(value.data(), value.size());
        return restinio::http_header_fields_t::continue_enumeration();
      });
  return client_address(peer, forwarded_for, trusted_proxies);
}

Request to_request(const restinio::request_t& wire, Method method, std::vector<std::string> parameters,
                   const std::vector<std::string>& trusted_proxies) {
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
  request.address = client_address_of(wire, trusted_proxies);
  request.path_params = std::move(parameters);
  // Valid while `wire` lives: handlers run while the server holds the request handle.
  request.headers = RequestHeaders(&header, find_wire_header);
  return request;
}

// X-Request-Id as sent, when it is safe to echo and log; otherwise a new one.
std::string request_id_of(ServerState& state, const restinio::request_t& wire) {
  if (const auto* sent = wire.header().try_get_field("X-Request-Id");
      sent != nullptr && is_valid_request_id(*sent)) {
    return *sent;
  }
  return state.request_ids.next();
}

void tell_observers(const ServerState& state, const restinio::request_t& wire,
                    const InFlightToken& exchange, int status) {
  const std::string client = client_address_of(wire, state.options.trusted_proxies);
  const CompletedRequest completed{
      .route = exchange.route,
      .route_index = exchange.route_index,
      .method = exchange.route != nullptr ? std::string_view(to_string(exchange.route->method))
                                          : std::string_view(wire.header().method().c_str()),
      .status = status,
      .duration = std::chrono::steady_clock::now() - exchange.arrived,
      .client_address = client,
      .request_id = exchange.request_id,
  };
  for (RequestObserver* observer : state.options.observers) observer->completed(completed);
}

// The CORS headers of any answer to a request with an Origin (AUTOMATION_CORS_ORIGINS). Requests
// without one (every non-browser client, and the benchmarks) pay one header lookup.
template <typename Builder>
void append_cors_headers(const CorsPolicy& cors, const restinio::request_t& wire,
                         Builder& builder) {
  if (!cors.enabled()) return;
  const auto answer = cors.answer(wire_header(wire, "Origin"));
  if (answer.vary_origin) builder.append_header(restinio::http_field::vary, "Origin");
  if (answer.allow_origin.empty()) return;
  builder.append_header(restinio::http_field::access_control_allow_origin,
                        std::string(answer.allow_origin));
  if (answer.allow_credentials) {
    builder.append_header(restinio::http_field::access_control_allow_credentials, "true");
  }
  builder.append_header("Access-Control-Expose-Headers",
                        std::string(CorsPolicy::kExposedHeaders));
}

// The answer to a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) on any
// path: 204 with what clients may send; the allowed origin itself is added by send().
Response preflight_response(const CorsPolicy& cors, const restinio::request_t& wire) {
  Response response;
  response.status = 204;
  response.content_type = "";
  if (!cors.answer(wire_header(wire, "Origin")).allow_origin.empty()) {
    response.add_header("Access-Control-Allow-Methods",
                        std::string(CorsPolicy::kAllowedMethods));
    response.add_header("Access-Control-Allow-Headers",
                        std::string(CorsPolicy::kAllowedHeaders));
    response.add_header("Access-Control-Max-Age", std::string(CorsPolicy::kMaxAgeSeconds));
  }
  return response;
}

bool is_preflight(const CorsPolicy& cors, std::optional<Method> method,
                  const restinio::request_t& wire) {
  return cors.enabled() && method == Method::kOptions && wire_header(wire, "Origin") &&
         wire_header(wire, "Access-Control-Request-Method");
}

void send(ServerState& state, const restinio::request_handle_t& wire, const Response& response,
          InFlight in_flight) {
  // A HEAD answer carries no body.
  const bool with_body = wire->header().method() != restinio::http_method_head();
  if (with_body) {
    // Counted until the write completes or the connection drops it (the token goes with the
    // write's completion handler).
    auto held = state.response_memory.hold(response.shared_body, response.body.size());
    if (!held) {
      send(state, wire, response_memory_full(), std::move(in_flight));  // small: never refused
      return;
    }
    in_flight->body_memory = std::move(held);
  }
  auto builder = wire->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)},
      std::string(reason_phrase(response.status))});
  if (!response.content_type.empty()) {
    builder.append_header(restinio::http_field::content_type, std::string(response.content_type));
  }
  // Every body must be read as its declared type only, never sniffed into something runnable.
  builder.append_header("X-Content-Type-Options", "nosniff");
  // On every response, not only those with keys, tokens or user data: almost every route
  // carries one of them, and the rest (health, errors) is live state a cache would serve
  // stale. One rule leaves nothing to forget when a route is added (the console's static
  // files, and only they, say otherwise: Response::cache_control).
  builder.append_header(restinio::http_field::cache_control, std::string(response.cache_control));
  if (response.retry_after_seconds > 0) {
    builder.append_header(restinio::http_field::retry_after,
                          std::to_string(response.retry_after_seconds));
  }
  if (!response.allow.empty()) builder.append_header(restinio::http_field::allow, response.allow);
  builder.append_header("X-Request-Id", in_flight->request_id);
  append_cors_headers(state.options.front_door.cors, *wire, builder);
  for (const ResponseHeader& header : response.headers) {
    // Handlers build these from checked values; a line break here would be a bug that lets
    // data end the header: refuse it rather than send it.
    if (header.value.find_first_of("\r\n", 0, 3) != std::string::npos) {
      spdlog::error("response header {} dropped: it holds a line break or NUL", header.name);
      continue;
    }
    builder.append_header(std::string(header.name), header.value);
  }
  if (state.stopping.load(std::memory_order_relaxed)) builder.connection_close();
  if (with_body) {
    if (response.shared_body) {
      builder.set_body(response.shared_body);
      if (!response.body.empty()) builder.append_body(response.body);
    } else {
      builder.set_body(response.body);
    }
  }
  if (!state.options.observers.empty()) tell_observers(state, *wire, *in_flight, response.status);
  builder.done([in_flight = std::move(in_flight)](const restinio::asio_ns::error_code&) {});
}

// The caller as the route's key policy demands; anonymous for routes whose handler resolves
// the credential itself (it answers refusals its own way).
Result<Caller> caller_of(ServerState& state, const Request& request, const Route& route) {
  if (resolved_by_handler(route.key_policy)) return Caller{std::nullopt, request.address};
  return authenticate_caller(state.context.api, request, route.key_policy,
                             &state.options.front_door.cors);
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

// Answers a routed request: the key, then the handler on this thread or on the hashing pool.
// `fresh` says the request already runs inside a freshness mark (the gate's).
void answer(ServerState& state, const Route& route, const restinio::request_handle_t& wire,
            std::vector<std::string> parameters, InFlight in_flight, bool fresh) {
  // Only key-checked routes answered here look keys up on this thread (ping touches no
  // database; KDF routes run on the pool, whose lookups check freshness themselves).
  const RequestHooks hooks(state.options, !fresh && route.key_policy != KeyPolicy::kNone &&
                                              route.execution == Execution::kIoThread);
  Request request =
      to_request(*wire, route.method, std::move(parameters), state.options.trusted_proxies);
  auto caller = caller_of(state, request, route);
  if (!caller) {
    send(state, wire, error_response(caller.error()), std::move(in_flight));
    return;
  }
  if (route.execution == Execution::kIoThread) {
    send(state, wire, run_handler(route, request, *caller), std::move(in_flight));
    return;
  }
  // KDF-bound: answered later by a pool thread, so I/O threads keep serving key checks.
  const WorkClass work_class =
      route.work_class ? route.work_class(request, *caller) : WorkClass::kAccount;
  const bool queued = state.pool.submit([&state, &route, wire, in_flight,
                                         request = std::move(request)]() mutable {
    // The key is checked again as the job starts: a logout, demotion or revocation
    // acknowledged while the job waited in the queue applies to it.
    auto current = caller_of(state, request, route);
    Response response =
        current ? run_handler(route, request, *current) : error_response(current.error());
    // These bodies carry passwords: wipe both copies once the hashing is done. RESTinio's
    // request object is not const itself, only its accessor is.
    crypto::wipe_secret(request.body);
    crypto::wipe_secret(const_cast<std::string&>(wire->body()));
    send(state, wire, response, std::move(in_flight));
  }, work_class);
  if (!queued) {
    for (RequestObserver* observer : state.options.observers) observer->hash_queue_full();
    Response busy = message_response(503, "Server busy, retry later");
    busy.retry_after_seconds = 1;
    send(state, wire, busy, std::move(in_flight));
  }
}

restinio::request_handling_status_t handle(ServerState& state, restinio::request_handle_t wire) {
  auto in_flight = std::make_shared<InFlightToken>(state.in_flight, request_id_of(state, *wire));
  const auto method = from_restinio(wire->header().method());
  if (is_preflight(state.options.front_door.cors, method, *wire)) {
    send(state, wire, preflight_response(state.options.front_door.cors, *wire),
         std::move(in_flight));
    return restinio::request_accepted();
  }
  RouteMatch match = state.routes.match(method, wire->header().path());
  in_flight->route = match.route;
  in_flight->route_index = match.index;
  if (match.route == nullptr) {
    send(state, wire, RouteTable::unmatched_response(match), std::move(in_flight));
    return restinio::request_accepted();
  }
  if (wire->body().size() > state.options.max_body_bytes) {
    send(state, wire, message_response(413, "Request body too large"), std::move(in_flight));
    return restinio::request_accepted();
  }
  const Route& route = *match.route;
  if (state.gate && route.key_policy != KeyPolicy::kNone &&
      route.execution == Execution::kIoThread) {
    // One database round trip for a whole batch of key checks (PostgreSQL).
    state.gate->submit([&state, &route, wire, in_flight = std::move(in_flight),
                        parameters = std::move(match.parameters)]() mutable {
      answer(state, route, wire, std::move(parameters), std::move(in_flight), /*fresh=*/true);
    });
    return restinio::request_accepted();
  }
  answer(state, route, wire, std::move(match.parameters), std::move(in_flight), /*fresh=*/false);
  return restinio::request_accepted();
}

// An io_context whose services can be shut down before it is destroyed. Shutting down destroys
// the handlers still pending, and with them the connections they own.
class IoContext : public restinio::asio_ns::io_context {
 public:
  using restinio::asio_ns::io_context::shutdown;  // protected in asio::execution_context
};

// At the end of run_server, after the I/O threads stopped: closes the listener (if a stop
// signal did not already) and destroys the connections still open, while the server object
// lives. Each connection tells RESTinio's connection-count limiter, which lives inside the
// server's acceptor, that it is gone; destroyed after the server (with the io_context, as asio
// does by default) they would write to freed memory. Declared after the server so it runs
// first; the server's own asio objects are then destroyed on shut-down services, which asio
// allows, and the io_context is destroyed last.
template <typename HttpServer>
class ConnectionsGoFirst {
 public:
  ConnectionsGoFirst(HttpServer& server, IoContext& io) : server_(server), io_(io) {}
  ~ConnectionsGoFirst() {
    try {
      server_.close_sync();
    } catch (const std::exception& e) {
      spdlog::error("closing the listener: {}", e.what());
    }
    io_.shutdown();
  }
  ConnectionsGoFirst(const ConnectionsGoFirst&) = delete;
  ConnectionsGoFirst& operator=(const ConnectionsGoFirst&) = delete;

 private:
  HttpServer& server_;
  IoContext& io_;
};

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

// Runs the server on one transport (Traits: PlainTraits or TlsTraits, whose settings take the
// TLS context); everything else is the same for both.
template <typename Traits>
Status serve(AuthorizedApi& api, const ServerOptions& options, const LoginTime& login_time,
             const std::function<void(restinio::server_settings_t<Traits>&)>& set_transport,
             const std::string& scheme,
             const std::function<void(const std::string& address)>& on_listening) {
  using HttpServer = restinio::http_server_t<Traits>;
  connections_per_address.configure(options.max_connections_per_address, options.trusted_proxies);
  connection_refusal_observers = &options.observers;
  RouteContext route_context{api, login_time, &options.metrics_text, &options.front_door};
  route_context.oidc = &options.oidc;
  route_context.oidc_provider = options.oidc_provider;
  ServerState state(options, route_context);
  // Observers may outlive this call (a metrics listener of its own): they learn when the
  // queue probe, which reads this call's pool, stops being valid.
  struct ObserversAttached {
    ServerState& state;
    explicit ObserversAttached(ServerState& attached) : state(attached) {
      for (RequestObserver* observer : state.options.observers) {
        observer->serving(state.routes.routes(), [&pool = state.pool] { return pool.queued(); });
      }
    }
    ~ObserversAttached() {
      for (RequestObserver* observer : state.options.observers) observer->stopped();
    }
  } const observers_attached{state};

  IoContext io;
  const std::uint64_t hard_body_limit =
      std::max<std::uint64_t>(kMinHardBodyLimit, std::uint64_t{options.max_body_bytes} * 4);
  auto settings = restinio::server_settings_t<Traits>{}
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
                      .max_parallel_connections(options.max_connections)
                      .max_pipelined_requests(kMaxPipelinedRequests)
                      .read_next_http_message_timelimit(options.read_timeout)
                      .write_http_response_timelimit(options.write_timeout)
                      // The hashing queue is bounded (503 beyond it), so this never bites first.
                      .handle_request_timeout(kHandleRequestTimeout);
  set_transport(settings);
  HttpServer server{restinio::external_io_context(io), std::move(settings)};
  const ConnectionsGoFirst<HttpServer> teardown{server, io};
  if (options.batched_freshness) {
    // Stopped first at return (reset below): tasks it still holds own connections.
    state.gate = std::make_unique<FreshnessGate>(
        *options.batched_freshness,
        [&io](FreshnessGate::Task task) { restinio::asio_ns::post(io, std::move(task)); });
  }
  struct StopGateFirst {
    ServerState& state;
    ~StopGateFirst() { state.gate.reset(); }
  } const stop_gate_first{state};

  // Destroyed after `signals` (declared before it): once a stop is under way, another
  // SIGINT/SIGTERM arriving while the process finishes must not kill it half-way (asio
  // restores the default action when the signal_set goes).
  struct IgnoreLateStopSignals {
    ~IgnoreLateStopSignals() {
      std::signal(SIGINT, SIG_IGN);
      std::signal(SIGTERM, SIG_IGN);
    }
  } const ignore_late_stop_signals;
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

  const std::string address = scheme + "://" + options.host + ":" + std::to_string(options.port);
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

}  // namespace

Status run_server(AuthorizedApi& api, const ServerOptions& options,
                  const std::function<void(const std::string& address)>& on_listening) {
  auto login_time = LoginTime::create(options.timezone);
  if (!login_time) {
    return fail(ErrorCode::kInvalidArgument, "AUTOMATION_TIMEZONE: " + login_time.error().message);
  }
  if (!options.tls) {
    return serve<PlainTraits>(
        api, options, *login_time, [](restinio::server_settings_t<PlainTraits>&) {}, "http",
        on_listening);
  }
  auto context = make_tls_context(*options.tls);
  if (!context) return fail(context.error());
  tls_handshake_timeout = options.read_timeout;
  return serve<TlsTraits>(
      api, options, *login_time,
      [&context](restinio::server_settings_t<TlsTraits>& settings) {
        settings.tls_context(std::move(*context));
      },
      "https", on_listening);
}

}  // namespace automation::http
