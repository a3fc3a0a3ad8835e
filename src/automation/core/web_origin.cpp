#include "automation/core/web_origin.hpp"

#include <algorithm>
#include <charconv>

#include "automation/core/text.hpp"

namespace automation {
namespace {

int default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

bool is_visible_ascii(char c) { return c > 0x20 && c < 0x7f; }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

bool is_ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

// "1".."65535", digits only.
bool parse_port(std::string_view text, int& port) {
  if (text.empty() || text.size() > 5) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value < 1 || value > 65535) return false;
  port = value;
  return true;
}

// "host[:port]": the host lower-cased, the port 0 when absent.
bool parse_authority(std::string_view text, std::string& host, int& port) {
  port = 0;
  std::string_view name;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    const auto inner = text.substr(1, close - 1);
    if (!std::all_of(inner.begin(), inner.end(), is_ipv6_char) ||
        inner.find(':') == std::string_view::npos) {
      return false;
    }
    name = text.substr(0, close + 1);
    rest = text.substr(close + 1);
  } else {
    const auto colon = text.find(':');
    name = text.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
    if (name.empty() || name.front() == '.' || name.front() == '-' ||
        !std::all_of(name.begin(), name.end(), is_name_char)) {
      return false;
    }
  }
  if (!rest.empty()) {
    if (rest.front() != ':' || !parse_port(rest.substr(1), port)) return false;
  }
  host = to_lower_ascii(name);
  return true;
}

// Splits "scheme://rest" with scheme http or https (any case); false otherwise.
bool split_scheme(std::string_view text, std::string& scheme, std::string_view& rest) {
  const auto separator = text.find("://");
  if (separator == std::string_view::npos) return false;
  scheme = to_lower_ascii(text.substr(0, separator));
  if (scheme != "http" && scheme != "https") return false;
  rest = text.substr(separator + 3);
  return true;
}

std::optional<WebOrigin> make_origin(std::string scheme, std::string_view authority) {
  WebOrigin origin;
  if (!parse_authority(authority, origin.host, origin.port)) return std::nullopt;
  if (origin.port == default_port(scheme)) origin.port = 0;
  origin.scheme = std::move(scheme);
  return origin;
}

int effective_port(const WebOrigin& origin) {
  return origin.port != 0 ? origin.port : default_port(origin.scheme);
}

}  // namespace

std::string WebOrigin::authority() const {
  return port == 0 ? host : host + ":" + std::to_string(port);
}

std::optional<WebOrigin> parse_origin(std::string_view text) {
  if (!std::all_of(text.begin(), text.end(), is_visible_ascii)) return std::nullopt;
  std::string scheme;
  std::string_view rest;
  if (!split_scheme(text, scheme, rest)) return std::nullopt;
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@\\") != std::string_view::npos) return std::nullopt;
  return make_origin(std::move(scheme), rest);
}

std::optional<WebOrigin> origin_of_url(std::string_view url) {
  if (!std::all_of(url.begin(), url.end(), is_visible_ascii) ||
      url.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string scheme;
  std::string_view rest;
  if (!split_scheme(url, scheme, rest)) return std::nullopt;
  const auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  return make_origin(std::move(scheme), authority);
}

std::optional<HostPattern> parse_host(std::string_view text) {
  HostPattern pattern;
  if (!parse_authority(text, pattern.host, pattern.port)) return std::nullopt;
  return pattern;
}

bool same_authority(const WebOrigin& origin, std::string_view host) {
  std::string name;
  int port = 0;
  if (!parse_authority(host, name, port)) return false;
  if (port == 0) port = default_port(origin.scheme);
  return name == origin.host && port == effective_port(origin);
}

bool host_matches(const HostPattern& pattern, const WebOrigin& origin) {
  return pattern.host == origin.host && (pattern.port == 0 || pattern.port == effective_port(origin));
}

}  // namespace automation
