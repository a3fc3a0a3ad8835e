// What browsers send the front door: the Cookie header, Origin and Referer values, hosts, and
// the login page's return address (rd).
//
// Input: one selector byte (0: a Cookie header, 1: an Origin value, 2: a URL (Referer), 3: a
// host, 4: a return address judged on host "plant.local:8443" with the allowed hosts
// "grafana.plant.local" and "hmi.plant.local:3000"), then the text.
// Invariants: a cookie value is a part of the header without ';'; a parsed origin, URL origin
// or host serializes to text that parses back to the same; an allowed return address is the
// input itself, visible ASCII without a backslash, and either a path that does not start with
// "//" or an http(s) URL on the own host or an allowed one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/web_origin.hpp"
#include "automation/http/login_redirect.hpp"
#include "automation/http/session_cookie.hpp"

#include "fuzz_invariant.hpp"

namespace {

using automation::fuzzing::invariant_broken;

bool same(const automation::WebOrigin& a, const automation::WebOrigin& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

void check_cookie(std::string_view header) {
  const auto value = automation::http::session_cookie_value(header);
  if (!value) return;
  if (value->data() < header.data() || value->data() + value->size() > header.data() + header.size()) {
    invariant_broken("the cookie value is not part of the header");
  }
  if (value->find(';') != std::string_view::npos) invariant_broken("a ';' in a cookie value");
}

void check_origin(const std::optional<automation::WebOrigin>& origin) {
  if (!origin) return;
  if (origin->scheme != "http" && origin->scheme != "https") invariant_broken("another scheme");
  const auto again = automation::parse_origin(origin->serialize());
  if (!again || !same(*again, *origin)) invariant_broken("an origin does not parse back");
}

void check_host(std::string_view text) {
  const auto host = automation::parse_host(text);
  if (!host) return;
  const std::string serialized =
      host->port == 0 ? host->host : host->host + ":" + std::to_string(host->port);
  const auto again = automation::parse_host(serialized);
  if (!again || again->host != host->host || again->port != host->port) {
    invariant_broken("a host does not parse back");
  }
}

void check_return_address(std::string_view rd) {
  static const std::vector<automation::HostPattern> allowed = {{"grafana.plant.local", 0},
                                                               {"hmi.plant.local", 3000}};
  constexpr std::string_view kOwnHost = "plant.local:8443";
  const auto address = automation::http::allowed_return_address(rd, kOwnHost, allowed);
  if (!address) return;
  if (*address != rd) invariant_broken("the address is not the input");
  for (const char c : rd) {
    if (c <= 0x20 || c >= 0x7f || c == '\\') invariant_broken("a byte a browser may misread");
  }
  if (rd.front() == '/') {
    if (rd.size() > 1 && rd[1] == '/') invariant_broken("a protocol-relative address");
    return;
  }
  const auto origin = automation::origin_of_url(rd);
  if (!origin) invariant_broken("an allowed address that is neither a path nor a URL");
  bool known = automation::same_authority(*origin, kOwnHost);
  for (const auto& host : allowed) known = known || automation::host_matches(host, *origin);
  if (!known) invariant_broken("an address on a host nobody allowed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      check_cookie(text);
      break;
    case 1:
      check_origin(automation::parse_origin(text));
      break;
    case 2:
      check_origin(automation::origin_of_url(text));
      break;
    case 3:
      check_host(text);
      break;
    default:
      check_return_address(text);
      break;
  }
  return 0;
}
