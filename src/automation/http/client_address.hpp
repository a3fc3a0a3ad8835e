#pragma once

// Which address a request comes from, for throttling and the audit log. The TCP peer, unless
// the peer is a configured trusted proxy (AUTOMATION_TRUSTED_PROXIES): then X-Forwarded-For
// is read right to left, past every trusted proxy, and the first other address is the
// client's. Never trusted by default: any client can write that header.

#include <string>
#include <string_view>
#include <vector>

namespace automation::http {

// peer: the TCP peer in canonical form (inet_ntop); forwarded_for: every X-Forwarded-For
// value joined with ", " in arrival order ("" when absent); trusted_proxies: canonical
// addresses. A malformed entry stops the walk: the address behind it cannot be trusted, so
// the last proxy that handed it over is used instead.
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted_proxies);

}  // namespace automation::http
