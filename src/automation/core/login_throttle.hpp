#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// A password attempt that passed the throttle; its provisional failures stay counted unless
// the attempt succeeds.
struct PasswordAttempt {
  std::vector<std::int64_t> failure_ids;
  std::string pair_key;  // (account, address): the count a success resets
};

// kThrottled with `refusal` and the seconds until the failure at `oldest_blocking` leaves the
// window of `window` seconds.
Error throttled_error(std::string_view refusal, UnixSeconds oldest_blocking, std::int64_t window,
                      UnixSeconds now);

// Reserves one attempt against `limits` within the window of `window` seconds ending at
// `now`: the attempt's provisional failure ids, or kThrottled (message `refusal`, with the
// seconds until the oldest blocking failure leaves the window) when a limit is full, and
// then nothing is counted. Shared by every throttled credential check (passwords, MFA codes).
Result<std::vector<std::int64_t>> reserve_throttled_attempt(ThrottleStore& store,
                                                            const std::vector<ThrottleLimit>& limits,
                                                            UnixSeconds now, std::int64_t window,
                                                            std::string_view refusal);

// Limits password guessing (logins, credential checks, current-password checks), with the
// counts in the database so every process sharing it agrees:
// - per (account, client address): SPEC's per-account limit, so failures from one address
//   cannot lock the account for everyone else;
// - per account across all addresses: a higher ceiling against distributed guessing;
// - per client address across accounts: against password spraying.
// Each attempt is reserved before the password is hashed (counted as a failure up front and
// released on success), so the limits hold exactly however many attempts run at once.
class LoginThrottle {
 public:
  LoginThrottle(ThrottleStore& store, Clock& clock, const CoreSettings& settings);

  // The counting key of an account, whichever name (username, e-mail, any case) was used.
  static std::string account_of_user(std::string_view user_identifier);
  // The counting key of a name that matches no account (counted as given).
  static std::string account_of_unknown_name(std::string_view name);

  // kThrottled (with retry_after_seconds) when a limit is full; then nothing is counted.
  Result<PasswordAttempt> begin_attempt(std::string_view account, std::string_view address);
  // kThrottled (with retry_after_seconds) when a limit for (account, address) is full, as
  // begin_attempt would answer; counts nothing. For a password operation that guesses nothing
  // (a reset of one's own password without the current one) yet must not go on while its
  // account's guesses are held back.
  Status check_open(std::string_view account, std::string_view address);
  // The password was right: the attempt's provisional failures are taken back and the
  // (account, address) count resets. A wrong password needs no call: the attempt stays counted.
  void succeeded(const PasswordAttempt& attempt);
  // An administrator's unlock (IEC 62443-4-2 CR 1.11): the account's failures, from every
  // address, are forgotten; per-address counts of other accounts stay. Returns how many.
  Result<std::int64_t> unlock(std::string_view account);
  // Accounts whose failures fill the account limit in the window now (0 when unlimited).
  Result<std::int64_t> locked_accounts();

 private:
  std::vector<ThrottleLimit> limits_of(std::string_view account, std::string_view address) const;
  Error throttled(UnixSeconds oldest_blocking, UnixSeconds now) const;

  ThrottleStore& store_;
  Clock& clock_;
  int pair_limit_;
  int account_limit_;
  int address_limit_;
  std::int64_t window_;
};

}  // namespace automation
