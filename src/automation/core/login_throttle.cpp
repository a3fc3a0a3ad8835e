#include "automation/core/login_throttle.hpp"

#include <algorithm>

#include "automation/core/text.hpp"

namespace automation {

Result<std::vector<std::int64_t>> reserve_throttled_attempt(ThrottleStore& store,
                                                            const std::vector<ThrottleLimit>& limits,
                                                            UnixSeconds now, std::int64_t window,
                                                            std::string_view refusal) {
  // A failure at time t counts while now < t + window.
  auto reservation = store.reserve_attempt(limits, now, now - window + 1);
  if (!reservation) return fail(reservation.error());
  if (!reservation->granted) {
    Error error = Error::make(ErrorCode::kThrottled, std::string(refusal));
    error.retry_after_seconds =
        std::max<std::int64_t>(1, reservation->oldest_blocking + window - now);
    return fail(std::move(error));
  }
  return std::move(reservation->failure_ids);
}

LoginThrottle::LoginThrottle(ThrottleStore& store, Clock& clock, const CoreSettings& settings)
    : store_(store),
      clock_(clock),
      pair_limit_(settings.login_max_failures),
      account_limit_(settings.account_max_failures),
      address_limit_(settings.address_max_failures),
      window_(settings.login_window_seconds) {}

std::string LoginThrottle::account_of_user(std::string_view user_identifier) {
  return "user:" + std::string(user_identifier);
}

std::string LoginThrottle::account_of_unknown_name(std::string_view name) {
  return "name:" + to_lower_ascii(name);
}

Result<PasswordAttempt> LoginThrottle::begin_attempt(std::string_view account,
                                                     std::string_view address) {
  const UnixSeconds now = clock_.now();
  const std::string account_key = "account:" + std::string(account);
  // An address never contains "|", so the pair key is unambiguous.
  std::string pair_key = account_key + "|address:" + std::string(address);
  std::vector<ThrottleLimit> limits{{pair_key, pair_limit_}, {account_key, account_limit_}};
  if (!address.empty()) limits.push_back({"address:" + std::string(address), address_limit_});
  auto failure_ids = reserve_throttled_attempt(store_, limits, now, window_,
                                               "Too many failed login attempts, try later");
  if (!failure_ids) return fail(failure_ids.error());
  return PasswordAttempt{std::move(*failure_ids), std::move(pair_key)};
}

void LoginThrottle::succeeded(const PasswordAttempt& attempt) {
  // Best effort: a failed write leaves one extra failure counted, never lets a guess through.
  (void)store_.release_attempt(attempt.failure_ids, attempt.pair_key);
}

Result<std::int64_t> LoginThrottle::unlock(std::string_view account) {
  return store_.clear_failures("account:" + std::string(account));
}

}  // namespace automation
