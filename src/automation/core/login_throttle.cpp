#include "automation/core/login_throttle.hpp"

#include <algorithm>

#include "automation/core/text.hpp"

namespace automation {

namespace {

constexpr const char* kPasswordRefusal = "Too many failed login attempts, try later";
// An account's own counting key is this + the account (account_of_user or of an unknown name).
constexpr std::string_view kAccountKeyPrefix = "account:";

}  // namespace

Error throttled_error(std::string_view refusal, UnixSeconds oldest_blocking, std::int64_t window,
                      UnixSeconds now) {
  Error error = Error::make(ErrorCode::kThrottled, std::string(refusal));
  error.retry_after_seconds = std::max<std::int64_t>(1, oldest_blocking + window - now);
  return error;
}

Result<std::vector<std::int64_t>> reserve_throttled_attempt(ThrottleStore& store,
                                                            const std::vector<ThrottleLimit>& limits,
                                                            UnixSeconds now, std::int64_t window,
                                                            std::string_view refusal) {
  // A failure at time t counts while now < t + window.
  auto reservation = store.reserve_attempt(limits, now, now - window + 1);
  if (!reservation) return fail(reservation.error());
  if (!reservation->granted) {
    return fail(throttled_error(refusal, reservation->oldest_blocking, window, now));
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

std::vector<ThrottleLimit> LoginThrottle::limits_of(std::string_view account,
                                                   std::string_view address) const {
  const std::string account_key = std::string(kAccountKeyPrefix) + std::string(account);
  // An address never contains "|", so the pair key is unambiguous.
  std::vector<ThrottleLimit> limits{{account_key + "|address:" + std::string(address), pair_limit_},
                                    {account_key, account_limit_}};
  if (!address.empty()) limits.push_back({"address:" + std::string(address), address_limit_});
  return limits;
}

Error LoginThrottle::throttled(UnixSeconds oldest_blocking, UnixSeconds now) const {
  return throttled_error(kPasswordRefusal, oldest_blocking, window_, now);
}

Result<PasswordAttempt> LoginThrottle::begin_attempt(std::string_view account,
                                                     std::string_view address) {
  const UnixSeconds now = clock_.now();
  std::vector<ThrottleLimit> limits = limits_of(account, address);
  std::string pair_key = limits.front().key;
  auto failure_ids = reserve_throttled_attempt(store_, limits, now, window_, kPasswordRefusal);
  if (!failure_ids) return fail(failure_ids.error());
  return PasswordAttempt{std::move(*failure_ids), std::move(pair_key)};
}

Status LoginThrottle::check_open(std::string_view account, std::string_view address) {
  const UnixSeconds now = clock_.now();
  for (const ThrottleLimit& limit : limits_of(account, address)) {
    if (limit.limit <= 0) continue;
    auto window = store_.failures_since(limit.key, now - window_ + 1);
    if (!window) return fail(window.error());
    if (window->count >= limit.limit) return fail(throttled(window->oldest, now));
  }
  return {};
}

void LoginThrottle::succeeded(const PasswordAttempt& attempt) {
  // Best effort: a failed write leaves one extra failure counted, never lets a guess through.
  (void)store_.release_attempt(attempt.failure_ids, attempt.pair_key);
}

Result<std::int64_t> LoginThrottle::unlock(std::string_view account) {
  return store_.clear_failures(std::string(kAccountKeyPrefix) + std::string(account));
}

Result<std::int64_t> LoginThrottle::locked_accounts() {
  if (account_limit_ <= 0) return std::int64_t{0};
  // Existing accounts only: names that match no account are counted too, but lock nobody.
  const std::string existing = std::string(kAccountKeyPrefix) + account_of_user("");
  return store_.count_keys_at_limit(existing, account_limit_, clock_.now() - window_ + 1);
}

}  // namespace automation
