#include "automation/http/session_cookie.hpp"

#include "automation/core/text.hpp"

namespace automation::http {
namespace {

std::string attributes(const CookieOptions& options) {
  std::string text = "; Path=/; HttpOnly; SameSite=Lax";
  if (options.secure) text += "; Secure";
  if (!options.domain.empty()) text += "; Domain=" + options.domain;
  return text;
}

}  // namespace

std::optional<std::string_view> session_cookie_value(std::string_view cookie_header) {
  while (!cookie_header.empty()) {
    const auto semicolon = cookie_header.find(';');
    const auto pair = trim(cookie_header.substr(0, semicolon));
    cookie_header = semicolon == std::string_view::npos ? std::string_view()
                                                        : cookie_header.substr(semicolon + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != kSessionCookieName) continue;
    auto value = trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    // An empty value (a client that keeps a cleared cookie) carries no credential: the next
    // cookie of the name may, else the request has none ("Key is missing.").
    if (value.empty()) continue;
    return value;
  }
  return std::nullopt;
}

std::string session_cookie(std::string_view key, const CookieOptions& options) {
  return std::string(kSessionCookieName) + "=" + std::string(key) + attributes(options);
}

std::string cleared_session_cookie(const CookieOptions& options) {
  return std::string(kSessionCookieName) + "=" + attributes(options) +
         "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
}

}  // namespace automation::http
