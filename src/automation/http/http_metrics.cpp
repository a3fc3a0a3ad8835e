#include "automation/http/http_metrics.hpp"

#include <prometheus/text_serializer.h>

#include <limits>
#include <mutex>
#include <sstream>

namespace automation::http {
namespace {

// Status codes 100..599 each get a slot (the server sends no others).
constexpr int kFirstStatus = 100;
constexpr int kStatusSlots = 500;

// Upper bounds of the latency buckets, in seconds and in nanoseconds (compared on the hot path).
constexpr std::array<double, 15> kBucketSeconds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                   0.005,  0.01,    0.025,  0.05,  0.1,
                                                   0.25,   0.5,     1.0,    2.5,   5.0};

constexpr auto relaxed = std::memory_order_relaxed;

prometheus::ClientMetric::Label label(std::string name, std::string value) {
  return {std::move(name), std::move(value)};
}

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type) {
  return prometheus::MetricFamily{std::move(name), std::move(help), type, {}};
}

void add_counter(prometheus::MetricFamily& family, double value,
                 std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  family.metric.push_back(std::move(metric));
}

// A counter family of one unlabelled series.
prometheus::MetricFamily single_counter(std::string name, std::string help,
                                        const std::atomic<std::uint64_t>& count) {
  auto counter = family(std::move(name), std::move(help), prometheus::MetricType::Counter);
  add_counter(counter, static_cast<double>(count.load(relaxed)));
  return counter;
}

void add_gauge(prometheus::MetricFamily& family, double value) {
  prometheus::ClientMetric metric;
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

}  // namespace

struct HttpMetrics::RouteSeries {
  RouteSeries(std::string method_label, std::string route_label, bool login)
      : method(std::move(method_label)), route(std::move(route_label)), is_login(login) {
    for (std::size_t i = 0; i < kBucketSeconds.size(); ++i) {
      bucket_nanos[i] = static_cast<std::uint64_t>(kBucketSeconds[i] * 1e9);
    }
  }

  const std::string method;
  const std::string route;
  const bool is_login;
  std::array<std::uint64_t, kBucketSeconds.size()> bucket_nanos{};
  std::array<std::atomic<std::uint64_t>, kStatusSlots> by_status{};
  // Per bucket, not cumulative (Collect adds them up); the last one is +Inf.
  std::array<std::atomic<std::uint64_t>, kBucketSeconds.size() + 1> buckets{};
  std::atomic<std::uint64_t> duration_nanos{0};
};

HttpMetrics::HttpMetrics(std::function<ApplicationGauges()> application)
    : application_(std::move(application)),
      unmatched_(std::make_unique<RouteSeries>("", "unmatched", false)) {}

HttpMetrics::~HttpMetrics() = default;

void HttpMetrics::serving(std::span<const Route> routes,
                          std::function<std::size_t()> hash_queue_depth) {
  // Before the first request (completed() reads routes_ without a lock); a scrape on the
  // exposer's own listener may run at the same time.
  const std::lock_guard lock(structure_);
  routes_.clear();
  routes_.reserve(routes.size());
  for (const Route& route : routes) {
    const bool login = route.method == Method::kPost && route.pattern == "/api/users/login";
    routes_.push_back(std::make_unique<RouteSeries>(to_string(route.method), route.pattern, login));
  }
  hash_queue_depth_ = std::move(hash_queue_depth);
}

HttpMetrics::RouteSeries& HttpMetrics::series_of(const CompletedRequest& request) noexcept {
  if (request.route != nullptr && request.route_index < routes_.size()) {
    return *routes_[request.route_index];
  }
  return *unmatched_;
}

void HttpMetrics::completed(const CompletedRequest& request) noexcept {
  RouteSeries& series = series_of(request);
  const int slot = request.status - kFirstStatus;
  if (slot >= 0 && slot < kStatusSlots) {
    series.by_status[static_cast<std::size_t>(slot)].fetch_add(1, relaxed);
  }
  const auto nanos = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(request.duration).count());
  std::size_t bucket = 0;
  while (bucket < series.bucket_nanos.size() && nanos > series.bucket_nanos[bucket]) ++bucket;
  series.buckets[bucket].fetch_add(1, relaxed);
  series.duration_nanos.fetch_add(nanos, relaxed);
  if (series.is_login) {
    // The login route's answers: 200 a session, 403 wrong user or password, 429 throttled.
    switch (request.status) {
      case 200: logins_[kLoginSuccess].fetch_add(1, relaxed); break;
      case 403: logins_[kLoginFailure].fetch_add(1, relaxed); break;
      case 429: logins_[kLoginThrottled].fetch_add(1, relaxed); break;
      default: break;
    }
  }
}

void HttpMetrics::stopped() noexcept {
  const std::lock_guard lock(structure_);
  hash_queue_depth_ = nullptr;
}

void HttpMetrics::hash_queue_full() noexcept { hash_rejections_.fetch_add(1, relaxed); }

void HttpMetrics::response_memory_full() noexcept {
  response_memory_rejections_.fetch_add(1, relaxed);
}

void HttpMetrics::connection_refused() noexcept { connection_refusals_.fetch_add(1, relaxed); }

std::vector<prometheus::MetricFamily> HttpMetrics::Collect() const {
  using prometheus::MetricType;
  std::unique_lock lock(structure_);
  auto requests = family("automation_http_requests_total",
                         "HTTP requests answered, by method, route template and status",
                         MetricType::Counter);
  auto latency = family("automation_http_request_duration_seconds",
                        "Time from a request's arrival to its response, by route template",
                        MetricType::Histogram);
  auto add_series = [&](const RouteSeries& series) {
    const std::string method = series.method.empty() ? "other" : series.method;
    for (int slot = 0; slot < kStatusSlots; ++slot) {
      const auto count = series.by_status[static_cast<std::size_t>(slot)].load(relaxed);
      if (count == 0) continue;
      add_counter(requests, static_cast<double>(count),
                  {label("method", method), label("route", series.route),
                   label("status", std::to_string(slot + kFirstStatus))});
    }
    prometheus::ClientMetric metric;
    metric.label = {label("method", method), label("route", series.route)};
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < series.buckets.size(); ++i) {
      cumulative += series.buckets[i].load(relaxed);
      const double bound = i < kBucketSeconds.size() ? kBucketSeconds[i]
                                                     : std::numeric_limits<double>::infinity();
      metric.histogram.bucket.push_back({cumulative, bound});
    }
    if (cumulative == 0) return;  // a route never called has no latency series
    metric.histogram.sample_count = cumulative;
    metric.histogram.sample_sum = static_cast<double>(series.duration_nanos.load(relaxed)) / 1e9;
    latency.metric.push_back(std::move(metric));
  };
  for (const auto& series : routes_) add_series(*series);
  add_series(*unmatched_);

  auto logins = family("automation_logins_total", "Login attempts by outcome",
                       MetricType::Counter);
  add_counter(logins, static_cast<double>(logins_[kLoginSuccess].load(relaxed)),
              {label("outcome", "success")});
  add_counter(logins, static_cast<double>(logins_[kLoginFailure].load(relaxed)),
              {label("outcome", "failure")});
  add_counter(logins, static_cast<double>(logins_[kLoginThrottled].load(relaxed)),
              {label("outcome", "throttled")});

  auto queue = family("automation_hash_queue_depth",
                      "Password-hashing jobs waiting for a worker", MetricType::Gauge);
  add_gauge(queue, hash_queue_depth_ ? static_cast<double>(hash_queue_depth_()) : 0.0);
  auto rejections = single_counter("automation_hash_queue_rejections_total",
                                   "Requests answered 503 because the hashing queue was full",
                                   hash_rejections_);
  auto memory_rejections = single_counter(
      "automation_response_memory_rejections_total",
      "Big answers refused with 503 because answers not yet written to their clients held "
      "AUTOMATION_RESPONSE_MEMORY_MIB",
      response_memory_rejections_);
  auto connection_refusals = single_counter(
      "automation_connections_refused_total",
      "New connections closed at once because their client address held "
      "AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS connections already",
      connection_refusals_);

  lock.unlock();

  std::vector<prometheus::MetricFamily> families;
  families.push_back(std::move(requests));
  families.push_back(std::move(latency));
  families.push_back(std::move(logins));
  families.push_back(std::move(queue));
  families.push_back(std::move(rejections));
  families.push_back(std::move(memory_rejections));
  families.push_back(std::move(connection_refusals));

  const ApplicationGauges app = application_ ? application_() : ApplicationGauges{};
  auto add_app_counter = [&families](const char* name, const char* help,
                                     std::optional<std::uint64_t> value) {
    if (!value) return;
    auto counter = family(name, help, MetricType::Counter);
    add_counter(counter, static_cast<double>(*value));
    families.push_back(std::move(counter));
  };
  add_app_counter("automation_lookup_cache_hits_total",
                  "Session, user, role and token lookups answered from memory",
                  app.lookup_cache_hits);
  add_app_counter("automation_lookup_cache_misses_total",
                  "Lookups that read the database", app.lookup_cache_misses);
  add_app_counter("automation_lookup_cache_sessions_prefetched_total",
                  "Sessions loaded into memory before their first lookup (new ones from the "
                  "change feed; stored ones at start and after the cache was emptied)",
                  app.sessions_prefetched);
  add_app_counter("automation_database_failures_total",
                  "Database units of work that failed (connection lost, busy, I/O, driver)",
                  app.database_failures);
  add_app_counter("automation_audit_write_failures_total",
                  "Audit events that could not be written", app.audit_write_failures);
  // Takes each gauge's own optional: converting optional<int> to optional<double> made g++ 12
  // warn falsely (-Wmaybe-uninitialized) in the ThreadSanitizer build.
  auto add_app_gauge = [&families](const char* name, const char* help, const auto& value) {
    if (!value) return;
    auto gauge = family(name, help, MetricType::Gauge);
    add_gauge(gauge, static_cast<double>(*value));
    families.push_back(std::move(gauge));
  };
  add_app_gauge("automation_live_sessions",
                "Sessions not expired (counted at most every few seconds)", app.live_sessions);
  add_app_gauge("automation_audit_events_stored",
                "Audit events kept, as of the last retention run (hourly)",
                app.audit_events_stored);
  add_app_gauge("automation_audit_capacity_percent",
                "Share of AUTOMATION_AUDIT_MAX_EVENTS in use, as of the last retention run",
                app.audit_capacity_percent);
  return families;
}

std::string HttpMetrics::render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, Collect());
  return out.str();
}

}  // namespace automation::http
