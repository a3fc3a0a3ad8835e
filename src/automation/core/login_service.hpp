#pragma once

#include <string>
#include <string_view>

#include "automation/core/mfa_ports.hpp"
#include "automation/core/mfa_service.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/requests.hpp"
#include "automation/core/session_service.hpp"

namespace automation {

// Logins: the password, then, for an account with multi-factor authentication, the second
// factor, then the session. The one way into a session (UsersCore::login and AuthorizedApi
// both come here), so no caller can skip the second factor.
class LoginService {
 public:
  struct Ports {
    UserStore& users;
    RandomSource& random;
    TokenDigester& digester;
    Clock& clock;
  };
  // mfa and challenges may be null together: then no account has MFA.
  LoginService(SessionService& sessions, MfaService* mfa, MfaChallengeStore* challenges,
               const Ports& ports);

  // How long the second step may wait after the password.
  static constexpr UnixSeconds kChallengeSeconds = 300;

  // Login by username or email from `address` (SessionService::check_password's failures;
  // legacy hashes are upgraded once the password is right). For an account with MFA:
  // with credentials.otp, that code is checked too (MfaService::verify's failures) before the
  // session is opened; without (or blank), no session is opened and the result carries an
  // mfa_token instead (LoginResult::second_factor_due), for complete().
  Result<LoginResult> login(const Credentials& credentials, std::string_view address);

  // The second step: the token from login() (single use, valid kChallengeSeconds, only from
  // the address it was issued to; kUnauthenticated "Invalid or expired mfa_token" otherwise)
  // and a code (MfaService::verify's failures; a wrong code leaves the token usable until it
  // expires). Success opens the session exactly as a password login does. *username (when
  // given) is set to the token's account once the token resolves, for the audit.
  Result<LoginResult> complete(std::string_view mfa_token, std::string_view code,
                               std::string_view address, std::string* username = nullptr);

 private:
  Result<LoginResult> challenge(User user, std::string_view address);

  SessionService& sessions_;
  MfaService* mfa_;
  MfaChallengeStore* challenges_;
  Ports ports_;
};

}  // namespace automation
