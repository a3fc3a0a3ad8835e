#include "automation/config/front_door_syntaxes.hpp"

#include "automation/config/value_syntaxes.hpp"
#include "automation/core/text.hpp"
#include "automation/core/web_origin.hpp"

namespace automation::config {
namespace {

// 'text', built by appending (GCC 12 warns, wrongly, about "'" + std::string(...)).
std::string quoted(std::string_view text) {
  std::string out = "'";
  out += text;
  out += '\'';
  return out;
}

}  // namespace

ValueSyntax cors_origins() {
  using Mode = FrontDoorConfig::CorsMode;
  return ValueSyntax{
      "*, off or origin list", "",
      [](std::string_view value, Config& config) -> Status {
        auto& front_door = config.front_door;
        const auto text = trim(value, kSettingBlanks);
        front_door.cors_origins.clear();
        if (text == "*") {
          front_door.cors_mode = Mode::kAnyOrigin;
          return {};
        }
        if (text == "off") {
          front_door.cors_mode = Mode::kOff;
          return {};
        }
        for (const auto item : syntax_detail::list_items(text)) {
          const auto origin = parse_origin(item);
          if (!origin) {
            return fail(ErrorCode::kInvalidArgument,
                        quoted(item) +
                            " is not an origin (scheme://host[:port], scheme http or https, "
                            "no path); the value is *, off or a comma-separated list of origins");
          }
          front_door.cors_origins.push_back(origin->serialize());
        }
        if (front_door.cors_origins.empty()) {
          return fail(ErrorCode::kInvalidArgument,
                      "must be *, off or a comma-separated list of origins");
        }
        front_door.cors_mode = Mode::kListed;
        return {};
      },
      [](const Config& config) -> std::string {
        switch (config.front_door.cors_mode) {
          case Mode::kAnyOrigin:
            return "*";
          case Mode::kOff:
            return "off";
          case Mode::kListed:
            break;
        }
        std::string text;
        for (const auto& origin : config.front_door.cors_origins) {
          if (!text.empty()) text += ',';
          text += origin;
        }
        return text;
      }};
}

namespace syntax_detail {

Result<std::vector<std::string>> parse_hosts(std::string_view text) {
  std::vector<std::string> hosts;
  for (const auto item : syntax_detail::list_items(text)) {
    const auto host = parse_host(item);
    if (!host) {
      return fail(ErrorCode::kInvalidArgument,
                  quoted(item) +
                      " is not a host (name or name:port, no scheme or path; a "
                      "comma-separated list)");
    }
    hosts.push_back(host->port == 0 ? host->host : host->host + ":" + std::to_string(host->port));
  }
  return hosts;
}

Result<std::string> parse_cookie_domain(std::string_view text) {
  auto domain = trim(text, kSettingBlanks);
  if (domain.empty()) return std::string();
  if (domain.front() == '.') domain.remove_prefix(1);  // RFC 6265 §5.2.3 ignores it too
  const auto host = parse_host(domain);
  if (!host || host->port != 0 || host->host.front() == '[') {
    return fail(ErrorCode::kInvalidArgument,
                "must be a domain name (e.g. plant.example), without scheme, port or path");
  }
  return host->host;
}

}  // namespace syntax_detail
}  // namespace automation::config
