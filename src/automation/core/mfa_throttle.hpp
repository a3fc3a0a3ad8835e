#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// A second-factor check that passed the throttle; its provisional failures stay counted
// unless the code is right.
struct CodeAttempt {
  std::vector<std::int64_t> failure_ids;
  std::string account_key;  // the count a right code resets
};

// Limits guessing of second-factor codes, apart from the password limits (a password lockout
// and an MFA lockout never share a count, and only someone who knew the password reaches
// this one): per account (MfaSettings::max_failures; a right code resets it) and per client
// address across accounts (address_max_failures), within the login window. Reserved before
// the code is checked, in the database, so racing requests and nodes cannot exceed a limit.
class MfaThrottle {
 public:
  MfaThrottle(ThrottleStore& store, Clock& clock, const CoreSettings& settings);

  // The account's counting key ("mfa:user:<identifier>").
  static std::string account_of_user(std::string_view user_identifier);

  // kThrottled (with retry_after_seconds) when a limit is full; then nothing is counted.
  Result<CodeAttempt> begin_attempt(std::string_view user_identifier, std::string_view address);
  // The code was right: the provisional failures are taken back and the account's count resets.
  void succeeded(const CodeAttempt& attempt);
  // Forgets the account's wrong codes (an administrator's unlock or MFA reset).
  Result<std::int64_t> unlock(std::string_view user_identifier);

 private:
  ThrottleStore& store_;
  Clock& clock_;
  int account_limit_;
  int address_limit_;
  std::int64_t window_;
};

}  // namespace automation
