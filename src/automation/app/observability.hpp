#pragma once

// What `serve` adds around the server to be observed: the access log and the Prometheus
// metrics (on the API's listener, on a listener of their own, or off), per configuration.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "automation/app/application.hpp"
#include "automation/app/logging.hpp"
#include "automation/config/config.hpp"
#include "automation/http/access_log.hpp"
#include "automation/http/http_metrics.hpp"
#include "automation/http/server.hpp"

namespace prometheus {
class Exposer;
}

namespace automation::app {

class Observability {
 public:
  // Starts the metrics listener when AUTOMATION_METRICS names one (kUnavailable when it cannot
  // listen there). `app` outlives the result.
  static Result<std::unique_ptr<Observability>> start(const config::Config& config,
                                                      Application& app);
  ~Observability();
  Observability(const Observability&) = delete;
  Observability& operator=(const Observability&) = delete;

  // Adds the observers and, for the API's listener, the /metrics route.
  void attach(http::ServerOptions& options);

 private:
  explicit Observability(Application& app);
  http::ApplicationGauges application_gauges();

  Application& app_;
  std::unique_ptr<AccessLogger> access_logger_;
  std::unique_ptr<http::AccessLog> access_log_;
  std::shared_ptr<http::HttpMetrics> metrics_;
  bool metrics_on_api_listener_ = false;
  std::unique_ptr<prometheus::Exposer> exposer_;
  // Live sessions are a COUNT query: done at most once per kLiveSessionsMaxAge.
  std::mutex live_sessions_mutex_;
  std::optional<long long> live_sessions_;
  std::chrono::steady_clock::time_point live_sessions_counted_at_{};
};

}  // namespace automation::app
