#pragma once

// The HTTP/JSON server exposing the core as the REST API of SPEC §3 (RESTinio).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "automation/core/authorized_api.hpp"
#include "automation/core/error.hpp"
#include "automation/http/freshness_gate.hpp"
#include "automation/http/front_door.hpp"
#include "automation/http/oidc_options.hpp"
#include "automation/http/tls_files.hpp"
#include "automation/http/request_observer.hpp"

namespace automation::oidc {
class OidcProvider;
}

namespace automation::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8050;
  unsigned io_threads = 0;            // 0 = one per core
  unsigned hash_threads = 0;          // KDF worker pool size; 0 = one per core
  std::size_t hash_queue_limit = 64;  // queued KDF jobs beyond which requests get 503
  std::string timezone = "America/Caracas";  // IANA name for the login `datetime`
  std::size_t max_body_bytes = 64 * 1024;
  // Peers allowed to name the client in X-Forwarded-For (canonical addresses).
  std::vector<std::string> trusted_proxies;
  // Called on the I/O thread as a routed request begins, and when its handler has run
  // there. The app uses them to bring the lookup cache up to date once per request instead
  // of once per lookup. Either may be empty.
  std::function<void()> request_begins;
  std::function<void()> request_ends;
  // When set, key-checked requests answered on I/O threads are checked for freshness in
  // batches instead (FreshnessGate): for databases where a check costs a round trip.
  std::optional<FreshnessHooks> batched_freshness;
  // Connections served at once; later clients wait in the listen backlog until one closes.
  // Keep it below the descriptor limit (the caller derives it from RLIMIT_NOFILE).
  std::size_t max_connections = 768;
  // Connections one client address may hold at once (0: no limit); one more is closed as soon
  // as it is accepted. Trusted proxies are exempt.
  std::size_t max_connections_per_address = 0;
  // From accepting a connection (or answering its previous request) until the next request
  // is completely read: bounds idle keep-alive and slowly sent requests alike (RESTinio 0.6
  // runs one clock for both).
  std::chrono::seconds read_timeout{20};
  // Writing one response to the client.
  std::chrono::seconds write_timeout{30};
  // Bytes of answers handed to connections and not yet written; past it big answers get 503
  // (http/response_memory.hpp).
  std::size_t response_memory_bytes = std::size_t{256} << 20;
  // When set, the listener speaks HTTPS only (TLS 1.2/1.3); the read timeout also bounds the
  // TLS handshake.
  std::optional<TlsFiles> tls;
  // Told about every answered request (metrics, access log); they outlive the server.
  std::vector<RequestObserver*> observers;
  // When set, GET /metrics on this listener answers with it (Prometheus text format).
  std::function<std::string()> metrics_text;
  // CORS, the browser session cookie, the login page's return addresses, forward tokens.
  FrontDoorOptions front_door;
  // The OpenID Connect provider (off unless its keys are set).
  OidcOptions oidc;
  // The provider's protocol routes (authorize, token, ...); null: off. Outlives the server.
  oidc::OidcProvider* oidc_provider = nullptr;
};

// Serves until SIGINT or SIGTERM, then stops accepting, lets in-flight requests finish and
// returns success. `on_listening` runs once, when the socket accepts connections, with the
// address ("http://host:port" or "https://host:port"). Failures to start (address in use, bad
// timezone, unusable TLS files) are errors.
Status run_server(AuthorizedApi& api, const ServerOptions& options,
                  const std::function<void(const std::string& address)>& on_listening);

}  // namespace automation::http
