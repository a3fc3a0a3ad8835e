#include "automation/oidc/oidc_keys.hpp"

#include <algorithm>

namespace automation::oidc {

OidcKeys::OidcKeys(std::shared_ptr<const OidcKeySet> keys, Loader loader,
                   std::chrono::milliseconds min_reload_interval)
    : keys_(std::move(keys)),
      last_load_(Clock::now()),
      loader_(std::move(loader)),
      min_reload_interval_(min_reload_interval) {}

std::unique_ptr<OidcKeys> OidcKeys::fixed(std::shared_ptr<const OidcKeySet> keys) {
  return std::unique_ptr<OidcKeys>(new OidcKeys(std::move(keys), {}, {}));
}

Result<std::unique_ptr<OidcKeys>> OidcKeys::load(Loader loader,
                                                 std::chrono::milliseconds min_reload_interval) {
  auto keys = loader();
  if (!keys) return fail(keys.error());
  if (!*keys) return fail(ErrorCode::kInternal, "no OIDC signing keys were loaded");
  return std::unique_ptr<OidcKeys>(
      new OidcKeys(std::move(*keys), std::move(loader), min_reload_interval));
}

std::shared_ptr<const OidcKeySet> OidcKeys::current() const {
  const std::lock_guard lock(mutex_);
  return keys_;
}

Status OidcKeys::refresh() {
  if (!loader_) return {};
  const std::lock_guard load_lock(load_mutex_);
  auto keys = loader_();
  const std::lock_guard lock(mutex_);
  last_load_ = Clock::now();  // a failed read counts too: it is not retried at once
  if (!keys) return fail(keys.error());
  if (!*keys) return fail(ErrorCode::kInternal, "no OIDC signing keys were loaded");
  keys_ = std::move(*keys);
  return {};
}

bool OidcKeys::refresh_rate_limited(Clock::duration age) {
  if (!loader_) return false;
  // Another thread reading already brings the news: answer with what is in force.
  const std::unique_lock load_lock(load_mutex_, std::try_to_lock);
  if (!load_lock.owns_lock()) return false;
  {
    const std::lock_guard lock(mutex_);
    const Clock::duration wait = std::max<Clock::duration>(age, min_reload_interval_);
    if (Clock::now() - last_load_ < wait) return false;
  }
  auto keys = loader_();
  const std::lock_guard lock(mutex_);
  last_load_ = Clock::now();
  if (keys && *keys) keys_ = std::move(*keys);
  return true;
}

bool OidcKeys::refresh_if_older_than(std::chrono::milliseconds age) {
  return refresh_rate_limited(age);
}

Result<nlohmann::json> OidcKeys::verify(std::string_view token) {
  auto keys = current();
  const auto kid = OidcKeySet::kid_of(token);
  if (kid && !keys->publishes(*kid) && refresh_rate_limited(Clock::duration::zero())) {
    keys = current();
  }
  return keys->verify(token);
}

}  // namespace automation::oidc
