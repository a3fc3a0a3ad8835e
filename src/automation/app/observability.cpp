#include "automation/app/observability.hpp"

#include <prometheus/exposer.h>

#include <exception>

namespace automation::app {
namespace {

// Prometheus scrapes every 15-60 s; several scrapers (or a dashboard refresh) within this
// window share one COUNT over the sessions table.
constexpr auto kLiveSessionsMaxAge = std::chrono::seconds(5);

http::LogFormat log_format(config::LoggingConfig::Format format) {
  return format == config::LoggingConfig::Format::kJson ? http::LogFormat::kJson
                                                        : http::LogFormat::kText;
}

}  // namespace

Result<std::unique_ptr<Observability>> Observability::start(const config::Config& config,
                                                            Application& app) {
  std::unique_ptr<Observability> observability(new Observability(app));
  Observability& self = *observability;
  if (config.logging.access_log) {
    self.access_logger_ = std::make_unique<AccessLogger>(config.logging.format);
    self.access_log_ = std::make_unique<http::AccessLog>(self.access_logger_->logger(),
                                                         log_format(config.logging.format));
  }
  if (config.metrics.mode == config::MetricsConfig::Mode::kOff) return observability;
  self.metrics_ = std::make_shared<http::HttpMetrics>([&self] { return self.application_gauges(); });
  if (config.metrics.mode == config::MetricsConfig::Mode::kSameListener) {
    self.metrics_on_api_listener_ = true;
    return observability;
  }
  try {
    self.exposer_ = std::make_unique<prometheus::Exposer>(config.metrics.listen);
  } catch (const std::exception& e) {
    return fail(ErrorCode::kUnavailable,
                "AUTOMATION_METRICS: cannot listen on " + config.metrics.listen + ": " + e.what());
  }
  self.exposer_->RegisterCollectable(self.metrics_);
  return observability;
}

Observability::Observability(Application& app) : app_(app) {}

Observability::~Observability() {
  exposer_.reset();  // no scrape may run once the rest is gone
}

void Observability::attach(http::ServerOptions& options) {
  if (access_log_) options.observers.push_back(access_log_.get());
  if (metrics_) options.observers.push_back(metrics_.get());
  if (metrics_on_api_listener_) {
    options.metrics_text = [metrics = metrics_] { return metrics->render(); };
  }
}

http::ApplicationGauges Observability::application_gauges() {
  http::ApplicationGauges gauges;
  if (const auto cache = app_.cache_stats()) {
    gauges.lookup_cache_hits = cache->hits;
    gauges.lookup_cache_misses = cache->misses;
    gauges.sessions_prefetched = cache->sessions_prefetched;
  }
  gauges.database_failures = app_.database_failures();
  const AuditCapacity audit = app_.audit_capacity();
  gauges.audit_write_failures = audit.write_failures;
  gauges.audit_events_stored = audit.events_stored;
  gauges.audit_capacity_percent = audit.percent_of_capacity;
  const std::lock_guard lock(live_sessions_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!live_sessions_ || now - live_sessions_counted_at_ >= kLiveSessionsMaxAge) {
    auto counted = app_.live_sessions();
    // A failed count shows no value rather than a stale one (the failure is counted anyway).
    live_sessions_ = counted ? std::optional<long long>(*counted) : std::nullopt;
    live_sessions_counted_at_ = now;
  }
  gauges.live_sessions = live_sessions_;
  return gauges;
}

}  // namespace automation::app
