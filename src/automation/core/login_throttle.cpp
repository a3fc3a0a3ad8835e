#include "automation/core/login_throttle.hpp"

#include <algorithm>

#include "automation/core/text.hpp"

namespace automation {
namespace {

std::string account_key(std::string_view account) { return "account:" + to_lower_ascii(account); }
std::string address_key(std::string_view address) { return "address:" + std::string(address); }

}  // namespace

LoginThrottle::LoginThrottle(ThrottleStore& store, Clock& clock, const CoreSettings& settings)
    : store_(store),
      clock_(clock),
      account_limit_(settings.login_max_failures),
      address_limit_(settings.address_max_failures),
      window_(settings.login_window_seconds) {}

Status LoginThrottle::check_key(const std::string& key, int limit, UnixSeconds now) {
  if (limit <= 0) return {};  // 0 disables this limit
  // A failure at time t counts while now < t + window.
  auto window = store_.failures_since(key, now - window_ + 1);
  if (!window) return fail(window.error());
  if (window->count < limit) return {};
  Error error = Error::make(ErrorCode::kThrottled, "Too many failed login attempts, try later");
  error.retry_after_seconds = std::max<std::int64_t>(1, window->oldest + window_ - now);
  return fail(std::move(error));
}

Status LoginThrottle::check(std::string_view account, std::string_view address) {
  const UnixSeconds now = clock_.now();
  if (auto status = check_key(account_key(account), account_limit_, now); !status) return status;
  if (address.empty()) return {};
  return check_key(address_key(address), address_limit_, now);
}

void LoginThrottle::record_failure(std::string_view account, std::string_view address) {
  const UnixSeconds now = clock_.now();
  // Counting is best effort: a failed write must not let the login through or leak why.
  (void)store_.record_failure(account_key(account), now);
  if (!address.empty()) (void)store_.record_failure(address_key(address), now);
}

void LoginThrottle::record_success(std::string_view account) {
  (void)store_.clear_failures(account_key(account));
}

}  // namespace automation
