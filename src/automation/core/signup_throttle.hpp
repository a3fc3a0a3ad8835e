#pragma once

// Anonymous sign-ups per client address (issue 19, item 2): each one costs a password hash,
// so without a limit one client could keep every hashing worker busy and leave real users'
// logins waiting. The count lives in the throttle store, so every process sharing the
// database agrees; every anonymous attempt that would hash is counted, whatever its outcome.

#include <string>
#include <string_view>

#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

class SignupThrottle {
 public:
  SignupThrottle(ThrottleStore& store, Clock& clock, const CoreSettings& settings)
      : store_(store),
        clock_(clock),
        limit_(settings.signup_max_per_address),
        window_(settings.signup_window_seconds) {}

  // Counts one anonymous sign-up from `address`; kThrottled (with retry_after_seconds) when
  // the address made its limit of them in the window (then nothing is counted).
  Status begin_signup(std::string_view address);

 private:
  ThrottleStore& store_;
  Clock& clock_;
  int limit_;
  std::int64_t window_;
};

}  // namespace automation
