#include "automation/http/login_response.hpp"

#include <nlohmann/json.hpp>

#include "automation/core/password_rules.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"

namespace automation::http {

Response login_response(const LoginTime& login_time, const Result<LoginResult>& login) {
  if (!login) {
    if (login.error().code == ErrorCode::kPermissionDenied) {
      // Upstream's body, word for word; the same for an unknown user and a wrong password.
      return json_response(
          403,
          nlohmann::json{{"message", "Authentication error: Invalid credentials"},
                         {"error_type", "authentication_error"},
                         {"details", "The provided username/email or password is incorrect."}});
    }
    return error_response(login.error());
  }
  if (login->second_factor_due()) {
    // No key yet. The words avoid "invalid token" and "key is missing", on which the HMI logs out.
    return json_response(
        401, nlohmann::json{
                 {"message", "Multi-factor authentication required: send a code with this "
                             "mfa_token to POST /api/users/login/mfa"},
                 {"error_type", kMfaRequired},
                 {"mfa_token", login->mfa_token},
                 {"expires_in", login->mfa_token_expires_at - login->logged_in_at},
                 {"methods", {"totp", "recovery_code"}}});
  }
  nlohmann::json body =
      login_json(*login, login_time.format(login->logged_in_at), login_time.zone_name());
  if (login->recovery_codes_left >= 0) body["recovery_codes_left"] = login->recovery_codes_left;
  if (login->password_change != PasswordChangeDemand::kNone) {
    // The key works for change_password and logout only (docs/security-controls.md).
    const bool expired = login->password_change == PasswordChangeDemand::kExpired;
    body["message"] = expired ? "Password expired: change it before anything else"
                              : "Password change required before anything else";
    body["error_type"] = expired ? kPasswordExpired : kPasswordChangeRequired;
    body["details"] = "This apiKey is accepted by POST /api/users/change_password (your own "
                      "account) and POST /api/users/logout only.";
    return json_response(403, body);
  }
  if (login->mfa_enrollment_required) {
    body["message"] = "Your role requires multi-factor authentication: set it up first";
    body["error_type"] = kMfaEnrollmentRequired;
    body["details"] = "This apiKey is accepted by GET /api/users/me/mfa, POST "
                      "/api/users/me/mfa/totp, POST /api/users/me/mfa/totp/confirm and POST "
                      "/api/users/logout only; once confirmed it works for everything.";
    return json_response(403, body);
  }
  return json_response(200, body);
}

}  // namespace automation::http
