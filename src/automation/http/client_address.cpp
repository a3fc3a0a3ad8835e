#include "automation/http/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>

#include "automation/core/text.hpp"

namespace automation::http {
namespace {

// The canonical text of an IPv4/IPv6 address, or nullopt when entry is not one.
std::optional<std::string> canonical_address(std::string_view entry) {
  if (entry.empty() || entry.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(entry);
  const int family = text.find(':') == std::string::npos ? AF_INET : AF_INET6;
  in6_addr buffer{};
  char canonical[INET6_ADDRSTRLEN] = {};
  if (inet_pton(family, text.c_str(), &buffer) != 1 ||
      inet_ntop(family, &buffer, canonical, sizeof canonical) == nullptr) {
    return std::nullopt;
  }
  return std::string(canonical);
}

bool is_trusted(std::string_view address, const std::vector<std::string>& trusted_proxies) {
  return std::find(trusted_proxies.begin(), trusted_proxies.end(), address) !=
         trusted_proxies.end();
}

}  // namespace

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted_proxies) {
  std::string client(peer);
  if (forwarded_for.empty() || !is_trusted(client, trusted_proxies)) return client;
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const std::string_view entry =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view()
                                                    : forwarded_for.substr(0, comma);
    auto address = canonical_address(entry);
    if (!address) return client;
    client = std::move(*address);
    if (!is_trusted(client, trusted_proxies)) return client;
  }
  return client;
}

}  // namespace automation::http
