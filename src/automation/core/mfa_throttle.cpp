#include "automation/core/mfa_throttle.hpp"

#include "automation/core/login_throttle.hpp"

namespace automation {

MfaThrottle::MfaThrottle(ThrottleStore& store, Clock& clock, const CoreSettings& settings)
    : store_(store),
      clock_(clock),
      account_limit_(settings.mfa.max_failures),
      address_limit_(settings.mfa.address_max_failures),
      window_(settings.login_window_seconds) {}

std::string MfaThrottle::account_of_user(std::string_view user_identifier) {
  return "mfa:user:" + std::string(user_identifier);
}

Result<CodeAttempt> MfaThrottle::begin_attempt(std::string_view user_identifier,
                                               std::string_view address) {
  std::string account_key = account_of_user(user_identifier);
  std::vector<ThrottleLimit> limits{{account_key, account_limit_}};
  if (!address.empty()) limits.push_back({"mfa:address:" + std::string(address), address_limit_});
  auto failure_ids = reserve_throttled_attempt(store_, limits, clock_.now(), window_,
                                               "Too many wrong codes, try later");
  if (!failure_ids) return fail(failure_ids.error());
  return CodeAttempt{std::move(*failure_ids), std::move(account_key)};
}

void MfaThrottle::succeeded(const CodeAttempt& attempt) {
  // Best effort: a failed write leaves one extra failure counted, never lets a guess through.
  (void)store_.release_attempt(attempt.failure_ids, attempt.account_key);
}

Result<std::int64_t> MfaThrottle::unlock(std::string_view user_identifier) {
  return store_.clear_failures(account_of_user(user_identifier));
}

}  // namespace automation
