#pragma once

// What the front door needs (issue 22, issue 20's CORS): browser origins, the session cookie,
// the login page's return addresses and forward authentication. Built once at start from the
// settings (AUTOMATION_CORS_ORIGINS, AUTOMATION_COOKIE_*, AUTOMATION_LOGIN_REDIRECT_HOSTS,
// AUTOMATION_FORWARD_TOKEN_TTL); read-only while serving.

#include <string>
#include <vector>

#include "automation/core/forward_auth.hpp"
#include "automation/core/web_origin.hpp"
#include "automation/http/cors.hpp"
#include "automation/http/session_cookie.hpp"

namespace automation::http {

struct FrontDoorOptions {
  CorsPolicy cors;
  CookieOptions cookie;  // its `secure` is forced on when the listener speaks TLS
  std::vector<HostPattern> redirect_hosts;
  // Mints the tokens of /api/auth/verify; null: that route answers 503 (a server without
  // the application behind it, as in some tests).
  ForwardAuth* forward_auth = nullptr;
};

}  // namespace automation::http
