#pragma once

// Web origins and hosts as text (RFC 6454 origins, RFC 3986 authorities), for the settings
// that name them (AUTOMATION_CORS_ORIGINS, AUTOMATION_LOGIN_REDIRECT_HOSTS) and for the
// checks that compare them with what a browser sent (Origin, Referer, a login's return
// address). Pure text functions: no HTTP library, shared by the config and http layers.
//
// Strict on purpose: these decide where a browser may be sent and whom a cookie answers, so
// anything a browser could read differently from us (backslashes, control characters,
// spaces, userinfo, percent-escapes in the host) is refused rather than interpreted.

#include <optional>
#include <string>
#include <string_view>

namespace automation {

// The origin of a web page: scheme, host and port.
struct WebOrigin {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case; an IPv6 address keeps its brackets ("[::1]")
  int port = 0;        // 0: the scheme's default (80 or 443)

  // "host" or "host:port" (the port only when it is not the scheme's default).
  std::string authority() const;
  // "scheme://host[:port]": the form browsers send in the Origin header.
  std::string serialize() const { return scheme + "://" + authority(); }
};

// A host a setting names: "name" (any port) or "name:port" (that port only).
struct HostPattern {
  std::string host;  // lower case
  int port = 0;      // 0: any port
};

// "http(s)://host[:port]" and nothing more (a single trailing '/' is tolerated, as people
// copy origins from address bars). The scheme and host are compared case-insensitively; a
// port equal to the scheme's default is dropped. nullopt for anything else ("null", paths,
// userinfo, other schemes).
std::optional<WebOrigin> parse_origin(std::string_view text);

// The origin of an absolute http(s) URL ("https://host:8443/path?q" -> https://host:8443);
// nullopt when the text is not one, carries userinfo, or holds a byte outside visible ASCII
// or a backslash anywhere.
std::optional<WebOrigin> origin_of_url(std::string_view url);

// "host" or "host:port" as a Host header or a setting names it; nullopt when malformed.
// `host` is a DNS name (letters, digits, '-', '_', '.'), an IPv4 address or a bracketed IPv6
// address.
std::optional<HostPattern> parse_host(std::string_view text);

// True when `host` (a Host header's value) names the same authority as `origin`: same host,
// and the same port once defaults are filled in from the origin's scheme.
bool same_authority(const WebOrigin& origin, std::string_view host);

// True when `pattern` matches the origin's host (and its port, if the pattern names one).
bool host_matches(const HostPattern& pattern, const WebOrigin& origin);

}  // namespace automation
