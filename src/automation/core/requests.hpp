#pragma once

// Plain request/response values of the core's public operations.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "automation/core/error.hpp"
#include "automation/core/mfa_model.hpp"
#include "automation/core/model.hpp"

namespace automation {

// Login by username or by email. When both are given the account is looked up by email, as
// upstream does; an empty email counts as not given when there is a username.
struct Credentials {
  std::optional<std::string> username;
  std::optional<std::string> email;
  std::string password;
  // The second factor sent with the password, for scripts that log in in one request (a TOTP
  // code or a recovery code); ignored for accounts without MFA.
  std::optional<std::string> otp = {};

  bool uses_email() const { return email && (!email->empty() || !username); }
  // The name the account is looked up by ("" when neither is set).
  std::string_view login_name() const {
    if (uses_email()) return *email;
    return username ? std::string_view(*username) : std::string_view();
  }
};

struct LoginResult {
  std::string api_key;  // returned once; only its digest is stored
  Role role;
  UnixSeconds logged_in_at = 0;
  User user;
  // Not kNone: the session may only change its own password or log out.
  PasswordChangeDemand password_change = PasswordChangeDemand::kNone;
  // For the login's audit event: how the password was checked when not locally ("directory
  // login", "offline directory login", what the directory changed); "" for a local login.
  std::string audit_note = {};
  // What the login proved besides the password.
  SecondFactor second_factor = SecondFactor::kNone;
  int recovery_codes_left = -1;  // after a recovery code: how many remain (else -1)
  // The session may only set up MFA (Principal::mfa_enrollment_required).
  bool mfa_enrollment_required = false;
  // Not empty: the password was right but the account uses MFA and no code came with it, so
  // NO session was opened (api_key is empty): the second step (LoginService::complete) takes
  // this token, single-use and valid until mfa_token_expires_at, from the same address.
  std::string mfa_token = {};
  UnixSeconds mfa_token_expires_at = 0;

  bool second_factor_due() const { return !mfa_token.empty(); }
};

struct SignupRequest {
  std::string username;
  std::string email;
  std::string password;
  std::optional<std::string> role_name;  // default: guest
  std::optional<std::string> name;
  std::optional<std::string> lastname;
};

struct PasswordChange {
  std::string target_username;
  std::string new_password;
  std::optional<std::string> current_password;
};

struct TptRequest {
  std::string role_name;
  std::optional<std::int64_t> expires_in_seconds;
  std::string description;
};

struct TptCreated {
  std::string token;  // returned once, never stored
  TptRecord record;
};

// Who calls and from where. principal is empty for anonymous calls (login, signup).
struct Caller {
  std::optional<Principal> principal;
  std::string address;  // client address for throttling and audit ("cli" from the tool)
};

// Upstream's words for a request without a key (the HMI logs out on a 401 saying so).
inline std::unexpected<Error> key_missing() {
  return fail(ErrorCode::kUnauthenticated, "Key is missing.");
}

}  // namespace automation
