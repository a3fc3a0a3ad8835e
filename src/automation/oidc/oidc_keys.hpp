#pragma once

// The provider's signing keys as the server holds them: the current OidcKeySet, cheap to
// take from any thread, replaced when the keys kept in the database change (another node or
// `automation oidc rotate-keys` rotated them) or a previous key's time is up.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>

#include "automation/core/error.hpp"
#include "automation/oidc/key_set.hpp"

namespace automation::oidc {

class OidcKeys {
 public:
  // Builds the set as it is now (reading what is kept); called again by refresh().
  using Loader = std::function<Result<std::shared_ptr<const OidcKeySet>>()>;

  // Keys that never change while the process runs (key files: rotated by replacing them and
  // restarting).
  static std::unique_ptr<OidcKeys> fixed(std::shared_ptr<const OidcKeySet> keys);
  // Keys read by `loader` now, and again by refresh(). A refresh asked for by a token of an
  // unknown kid (verify) or by a JWKS request (refresh_if_older_than) runs at most once per
  // `min_reload_interval`, so a stream of forged kids costs at most that many reads.
  static Result<std::unique_ptr<OidcKeys>> load(
      Loader loader, std::chrono::milliseconds min_reload_interval = std::chrono::seconds(1));

  OidcKeys(const OidcKeys&) = delete;
  OidcKeys& operator=(const OidcKeys&) = delete;

  // The keys in force; never null. Hold the pointer for as long as one operation needs a
  // consistent set (sign, then publish the kid).
  std::shared_ptr<const OidcKeySet> current() const;
  // Reads the kept keys again now (the periodic refresh). On failure the keys in force stay.
  Status refresh();
  // refresh() when the last read is older than `age` (and at most once per
  // min_reload_interval); true when it read. A no-op for fixed keys.
  bool refresh_if_older_than(std::chrono::milliseconds age);
  // current()->verify(token); when the token names a kid the set does not publish, the kept
  // keys are read again first (rate-limited: see load), so a token signed by a key another
  // node just rotated in is accepted here too.
  Result<nlohmann::json> verify(std::string_view token);
  // False for fixed keys.
  bool reloads() const { return static_cast<bool>(loader_); }

 private:
  using Clock = std::chrono::steady_clock;
  OidcKeys(std::shared_ptr<const OidcKeySet> keys, Loader loader,
           std::chrono::milliseconds min_reload_interval);
  // refresh() unless one ran within min_reload_interval_ (or `age` when longer) or runs now.
  bool refresh_rate_limited(Clock::duration age);

  mutable std::mutex mutex_;  // guards keys_ and last_load_
  std::shared_ptr<const OidcKeySet> keys_;
  Clock::time_point last_load_;
  std::mutex load_mutex_;  // one load at a time
  const Loader loader_;
  const std::chrono::milliseconds min_reload_interval_;
};

}  // namespace automation::oidc
