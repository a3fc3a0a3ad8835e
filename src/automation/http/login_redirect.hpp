#pragma once

// Where the login page may send a browser once it has signed in (`rd`): never an open
// redirect. Allowed: a path on this service ("/app/?x=1"), or an absolute http(s) URL whose
// host is this service's own (the request's Host) or on AUTOMATION_LOGIN_REDIRECT_HOSTS.
// Refused: everything else, and everything a browser could read as another host: "//evil",
// "/\evil", "https:evil", userinfo ("https://own@evil"), encoded slashes or backslashes at the
// start ("/%2F%2Fevil"), control characters, spaces, non-ASCII bytes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/web_origin.hpp"

namespace automation::http {

// `rd` itself (to send in Location) when it is allowed; nullopt when it is refused or empty.
// `own_host`: the request's Host header (nullopt: absolute URLs match only the list).
std::optional<std::string> allowed_return_address(std::string_view rd,
                                                  std::optional<std::string_view> own_host,
                                                  const std::vector<HostPattern>& allowed_hosts);

// "/login?rd=<rd, percent-encoded>": where a reverse proxy sends a browser without a session.
std::string login_url_for(std::string_view rd);

}  // namespace automation::http
