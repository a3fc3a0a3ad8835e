#pragma once

// The browser session cookie `automation_session` (SPEC §8): its value is the key of a session
// like any other (listed, revocable, idle timeout, concurrency limit, audited), kept where page
// scripts cannot read it (HttpOnly) and sent only with same-site navigations and requests
// (SameSite=Lax). No Max-Age: it ends with the browser, and the session with its lifetime.

#include <optional>
#include <string>
#include <string_view>

namespace automation::http {

inline constexpr std::string_view kSessionCookieName = "automation_session";

struct CookieOptions {
  bool secure = false;  // TLS, or AUTOMATION_COOKIE_SECURE
  std::string domain;   // AUTOMATION_COOKIE_DOMAIN; "" = host-only
};

// The value of the first non-empty automation_session cookie in a Cookie header (surrounding
// double quotes removed); nullopt when there is none.
std::optional<std::string_view> session_cookie_value(std::string_view cookie_header);

// The Set-Cookie value that hands `key` to the browser.
std::string session_cookie(std::string_view key, const CookieOptions& options);
// The Set-Cookie value that makes the browser forget the cookie.
std::string cleared_session_cookie(const CookieOptions& options);

}  // namespace automation::http
