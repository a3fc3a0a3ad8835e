#include "automation/http/login_redirect.hpp"

#include <algorithm>

#include "automation/core/text.hpp"
#include "automation/http/request_parsing.hpp"

namespace automation::http {
namespace {

bool is_visible_ascii(char c) { return c > 0x20 && c < 0x7f; }

// A path that stays on this host however it is decoded: one leading '/', never "//" or "/\"
// after decoding percent-escapes (once or twice: a proxy may decode again).
bool is_local_path(std::string_view rd) {
  if (rd.empty() || rd.front() != '/') return false;
  std::string text(rd);
  for (int round = 0; round < 3; ++round) {
    if (text.size() >= 2 && (text[1] == '/' || text[1] == '\\')) return false;
    if (text.find('\\') != std::string::npos) return false;
    auto decoded = percent_decode(text, /*plus_is_space=*/false);
    if (!decoded || *decoded == text) break;
    text = std::move(*decoded);
  }
  return true;
}

}  // namespace

std::optional<std::string> allowed_return_address(std::string_view rd,
                                                  std::optional<std::string_view> own_host,
                                                  const std::vector<HostPattern>& allowed_hosts) {
  if (rd.empty() || !std::all_of(rd.begin(), rd.end(), is_visible_ascii) ||
      rd.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  if (rd.front() == '/') {
    if (!is_local_path(rd)) return std::nullopt;
    return std::string(rd);
  }
  const auto origin = origin_of_url(rd);
  if (!origin) return std::nullopt;
  const bool own = own_host && same_authority(*origin, *own_host);
  const bool listed = std::any_of(allowed_hosts.begin(), allowed_hosts.end(),
                                  [&](const HostPattern& host) { return host_matches(host, *origin); });
  if (!own && !listed) return std::nullopt;
  return std::string(rd);
}

std::string login_url_for(std::string_view rd) {
  return "/login?rd=" + percent_encode(rd, "/");
}

}  // namespace automation::http
