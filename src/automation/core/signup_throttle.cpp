#include "automation/core/signup_throttle.hpp"

#include <algorithm>

namespace automation {

Status SignupThrottle::begin_signup(std::string_view address) {
  if (limit_ <= 0) return {};
  const UnixSeconds now = clock_.now();
  // Its own key space: sign-ups never count against password attempts, nor the reverse.
  const std::vector<ThrottleLimit> limits{{"signup:address:" + std::string(address), limit_}};
  auto reservation = store_.reserve_attempt(limits, now, now - window_ + 1);
  if (!reservation) return fail(reservation.error());
  if (!reservation->granted) {
    Error error =
        Error::make(ErrorCode::kThrottled, "Too many sign-ups from your address, try later");
    error.retry_after_seconds =
        std::max<std::int64_t>(1, reservation->oldest_blocking + window_ - now);
    return fail(std::move(error));
  }
  return {};
}

}  // namespace automation
