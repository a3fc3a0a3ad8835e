#pragma once

#include <string>
#include <string_view>

#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// Counts failed logins per account and per client address in the database (so every
// process sharing it agrees) and refuses attempts over the limit until the window passes.
class LoginThrottle {
 public:
  LoginThrottle(ThrottleStore& store, Clock& clock, const CoreSettings& settings);

  // kThrottled (with retry_after_seconds) when the account or the address is over its limit.
  Status check(std::string_view account, std::string_view address);
  void record_failure(std::string_view account, std::string_view address);
  // A successful login resets the account's count (not the address's: spraying continues).
  void record_success(std::string_view account);

 private:
  Status check_key(const std::string& key, int limit, UnixSeconds now);

  ThrottleStore& store_;
  Clock& clock_;
  int account_limit_;
  int address_limit_;
  std::int64_t window_;
};

}  // namespace automation
