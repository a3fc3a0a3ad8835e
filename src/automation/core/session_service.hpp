#pragma once

#include <string>
#include <string_view>

#include "automation/core/directory_login.hpp"
#include "automation/core/login_throttle.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/requests.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// Sessions (API keys): login, credential checks, logout and key resolution.
class SessionService {
 public:
  struct Ports {
    SessionStore& sessions;
    UserStore& users;
    PasswordStore& passwords;
    PasswordHasher& hasher;
    RandomSource& random;
    TokenDigester& digester;
    Clock& clock;
  };
  // `directory`: checks the passwords of directory users (nullptr: directory login off).
  SessionService(const Ports& ports, LoginThrottle& throttle, const CoreSettings& settings,
                 DirectoryLogin* directory = nullptr);

  // A password that was accepted, and by whom.
  struct CheckedPassword {
    User user;
    bool needs_rehash = false;  // local: stored in a legacy or weaker form (upgrade_hash)
    std::string audit_note;     // directory: DirectoryLoginOutcome::audit_note; local: ""
  };
  // The password step of a login by username or email from `address` (LoginService runs
  // the whole login): throttle check, then lookup and verification with constant work for
  // unknown users (or the directory's verdict, for the names it decides for), then the
  // failure/success count. Unknown user and wrong password both give kPermissionDenied
  // "Invalid credentials" after one KDF evaluation each; over the throttle limit, kThrottled.
  Result<CheckedPassword> check_password(const Credentials& credentials,
                                         std::string_view address);
  // Re-hashes the user's password with the current parameters; a failure here must not fail
  // the login, so it is not reported.
  void upgrade_hash(const User& user, std::string_view password);
  // A new session for a user whose login succeeded with `factor` besides the password. A
  // password that expired, or that someone else set, gives a session that may only change
  // it (never for a directory user: their password ages in the directory); a role that must
  // use MFA (policy::must_use_mfa) without a second factor, a session that may only set it up.
  Result<LoginResult> open_session(User user, std::string_view address, SecondFactor factor);
  // The user the credentials belong to, or kPermissionDenied; never creates a session.
  // Throttled and counted like a login, so it cannot be used to guess passwords faster.
  Result<User> verify_credentials(const Credentials& credentials, std::string_view address);
  // Whether the username or e-mail of `credentials` names an existing account (no KDF, no
  // throttle): how the HTTP layer tells a login from a guess against an unknown name when it
  // schedules password work.
  bool names_an_account(const Credentials& credentials);
  Status logout(std::string_view session_digest);
  Status logout_all(std::int64_t user_id);
  // The live session with this key, or kUnauthenticated "Invalid token" (also for a session
  // past its lifetime or idle for session_idle_seconds). No KDF. Records the use when the
  // recorded one is kSessionUseResolution old or more.
  Result<ActiveSession> resolve(std::string_view api_key);
  // The same for a session known by its digest (OIDC grants keep the digest of the browser
  // session they were made in, never its key).
  Result<ActiveSession> resolve_digest(std::string_view digest);
  std::string digest_of(std::string_view api_key) { return ports_.digester.digest(api_key); }

 private:
  // The account the credentials name (by username or e-mail), if any; no KDF.
  Result<std::optional<User>> find_account(const Credentials& credentials);

  // What the user must do first, from the password's age and origin (no query when those
  // rules are off).
  Result<PasswordChangeDemand> demand_for(const User& user, UnixSeconds now);

  Ports ports_;
  LoginThrottle& throttle_;
  const CoreSettings& settings_;
  DirectoryLogin* directory_;
};

}  // namespace automation
