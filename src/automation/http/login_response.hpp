#pragma once

// The answer to a login step (POST /api/users/login and /api/users/login/mfa), one rendering
// for both so that the second step answers exactly as a password login does.

#include "automation/core/error.hpp"
#include "automation/core/requests.hpp"
#include "automation/http/http_message.hpp"
#include "automation/http/login_time.hpp"

namespace automation::http {

// 200 with the session's key; 403 with a key that only changes the password, or only sets up
// MFA (`error_type` says which); 401 `mfa_required` with an `mfa_token` and no key when the
// second factor is due; upstream's 403 body for wrong credentials; else the mapped error.
Response login_response(const LoginTime& login_time, const Result<LoginResult>& login);

}  // namespace automation::http
