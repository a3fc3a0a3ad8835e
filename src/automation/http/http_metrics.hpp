#pragma once

// Prometheus metrics of the server: requests by route template and status, latency by route,
// logins by outcome, the hashing queue, plus what the application reports at scrape time
// (lookup cache, database failures, live sessions).
//
// The hot path is a few relaxed atomic increments in per-route slots resolved when the server
// starts (a route's index, a status code's offset): no label lookup, no lock, no allocation.
// prometheus-cpp's own Histogram takes a mutex on every Observe, so the counts are kept here
// and turned into prometheus-cpp metric families when scraped (Collect); its TextSerializer
// writes the exposition and its Exposer can serve this Collectable on a listener of its own.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "automation/http/request_observer.hpp"

namespace automation::http {

// What the application knows, read at scrape time (each field may be absent).
struct ApplicationGauges {
  std::optional<std::uint64_t> lookup_cache_hits;
  std::optional<std::uint64_t> lookup_cache_misses;
  std::optional<std::uint64_t> database_failures;
  std::optional<long long> live_sessions;
  // Default member initializers keep positional initialization of the fields above warning-free.
  std::optional<std::uint64_t> audit_write_failures = {};
  std::optional<std::uint64_t> sessions_prefetched = {};  // loaded before their first lookup
  // From the last audit retention run (at start, then hourly).
  std::optional<long long> audit_events_stored = {};
  std::optional<int> audit_capacity_percent = {};  // only with AUTOMATION_AUDIT_MAX_EVENTS
};

class HttpMetrics final : public RequestObserver, public prometheus::Collectable {
 public:
  // `application` is called on every scrape (it should be cheap or cached); may be empty.
  explicit HttpMetrics(std::function<ApplicationGauges()> application);
  ~HttpMetrics() override;

  void serving(std::span<const Route> routes,
               std::function<std::size_t()> hash_queue_depth) override;
  void completed(const CompletedRequest& request) noexcept override;
  void stopped() noexcept override;
  void hash_queue_full() noexcept override;
  void response_memory_full() noexcept override;
  void connection_refused() noexcept override;

  std::vector<prometheus::MetricFamily> Collect() const override;
  // The text exposition format (version 0.0.4) of Collect().
  std::string render() const;

 private:
  struct RouteSeries;
  enum LoginOutcome { kLoginSuccess, kLoginFailure, kLoginThrottled, kLoginOutcomes };

  RouteSeries& series_of(const CompletedRequest& request) noexcept;

  std::function<ApplicationGauges()> application_;
  mutable std::mutex structure_;  // serving() against Collect(); never taken per request
  std::vector<std::unique_ptr<RouteSeries>> routes_;  // fixed once serving() ran
  std::unique_ptr<RouteSeries> unmatched_;
  std::function<std::size_t()> hash_queue_depth_;
  std::atomic<std::uint64_t> hash_rejections_{0};
  std::atomic<std::uint64_t> response_memory_rejections_{0};
  std::atomic<std::uint64_t> connection_refusals_{0};
  std::array<std::atomic<std::uint64_t>, kLoginOutcomes> logins_{};
};

}  // namespace automation::http
