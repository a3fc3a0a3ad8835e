#include "automation/config/value_syntaxes.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "automation/core/text.hpp"

namespace automation::config {

std::string Setting::default_text() const {
  if (!default_note.empty()) return default_note;
  static const Config defaults;
  return syntax.show(defaults);
}

namespace syntax_detail {

Status parse_integer(std::string_view text, long long min, long long max, long long& out) {
  long long parsed = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, parsed);
  if (ec != std::errc() || ptr != end || parsed < min || parsed > max) {
    return fail(ErrorCode::kInvalidArgument, "must be an integer between " + std::to_string(min) +
                                                 " and " + std::to_string(max));
  }
  out = parsed;
  return {};
}

Status parse_boolean(std::string_view text, bool& out) {
  if (text == "true" || text == "1" || text == "yes" || text == "True") {
    out = true;
  } else if (text == "false" || text == "0" || text == "no" || text == "False") {
    out = false;
  } else {
    return fail(ErrorCode::kInvalidArgument, "must be true or false");
  }
  return {};
}

std::vector<std::string_view> list_items(std::string_view text, char separator) {
  std::vector<std::string_view> items;
  while (!text.empty()) {
    const auto at = text.find(separator);
    const auto item = trim(text.substr(0, at), kSettingBlanks);
    text = at == std::string_view::npos ? std::string_view() : text.substr(at + 1);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::string listing(const std::vector<std::string>& words) {
  std::string text;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) text += i + 1 == words.size() ? " or " : ", ";
    text += words[i];
  }
  return text;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

// Exact addresses only: a proxy is a known machine, not a network. Kept in inet_ntop's
// canonical text, the form the server renders peer addresses in.
Result<std::vector<std::string>> parse_addresses(std::string_view text) {
  std::vector<std::string> addresses;
  for (const std::string_view item_text : list_items(text)) {
    const std::string item(item_text);
    in6_addr buffer{};
    char canonical[INET6_ADDRSTRLEN] = {};
    const int family = item.find(':') == std::string::npos ? AF_INET : AF_INET6;
    // inet_pton reads a C string: a NUL byte would hide whatever follows it.
    if (item.find('\0') != std::string::npos || inet_pton(family, item.c_str(), &buffer) != 1 ||
        inet_ntop(family, &buffer, canonical, sizeof canonical) == nullptr) {
      return fail(ErrorCode::kInvalidArgument,
                  "'" + item + "' is not an IP address (a comma-separated list of addresses)");
    }
    addresses.emplace_back(canonical);
  }
  return addresses;
}

Result<MetricsConfig> parse_metrics(std::string_view text) {
  MetricsConfig metrics;
  if (text == "on") return metrics;
  if (text == "off") {
    metrics.mode = MetricsConfig::Mode::kOff;
    return metrics;
  }
  const auto colon = text.rfind(':');
  const auto why = "must be on, off or host:port (e.g. 127.0.0.1:9464)";
  if (colon == std::string_view::npos || colon == 0) return fail(ErrorCode::kInvalidArgument, why);
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return fail(ErrorCode::kInvalidArgument, why);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  in6_addr buffer{};
  const std::string host_text(host);
  const int family = host_text.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (host_text.find('\0') != std::string::npos ||
      inet_pton(family, host_text.c_str(), &buffer) != 1) {
    return fail(ErrorCode::kInvalidArgument, "the host of host:port must be an IP address");
  }
  metrics.mode = MetricsConfig::Mode::kOwnListener;
  metrics.listen = std::string(text);
  return metrics;
}

std::string show_metrics(const MetricsConfig& metrics) {
  switch (metrics.mode) {
    case MetricsConfig::Mode::kOff:
      return "off";
    case MetricsConfig::Mode::kSameListener:
      return "on";
    case MetricsConfig::Mode::kOwnListener:
      return metrics.listen;
  }
  return "on";
}

namespace {

constexpr std::size_t kMaxMeaningLength = 32;
constexpr long long kMaxMeaningLevel = 1'000'000;

Status check_meaning_name(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= kMaxMeaningLength &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '-';
                  });
  if (ok) return {};
  return fail(ErrorCode::kInvalidArgument,
              "'" + name + "' is not a meaning (1-32 of a-z, 0-9, '_' and '-')");
}

}  // namespace

Result<std::vector<SignatureMeaning>> parse_meaning_levels(std::string_view text) {
  std::vector<SignatureMeaning> meanings;
  for (const std::string_view item_text : list_items(text)) {
    const std::string item(item_text);
    const auto colon = item.find(':');
    if (colon == std::string::npos) {
      return fail(ErrorCode::kInvalidArgument,
                  "'" + item + "' must be meaning:level (e.g. approved:2)");
    }
    SignatureMeaning meaning{std::string(trim(item_text.substr(0, colon), kSettingBlanks)), 0};
    if (auto named = check_meaning_name(meaning.name); !named) return fail(named.error());
    long long level = 0;
    const auto level_text = trim(item_text.substr(colon + 1), kSettingBlanks);
    if (auto parsed = parse_integer(level_text, 0, kMaxMeaningLevel, level); !parsed) {
      return fail(ErrorCode::kInvalidArgument,
                  "the level of " + meaning.name + " " + parsed.error().message);
    }
    meaning.max_level = static_cast<int>(level);
    for (const SignatureMeaning& earlier : meanings) {
      if (earlier.name == meaning.name) {
        return fail(ErrorCode::kInvalidArgument, meaning.name + " is listed twice");
      }
    }
    meanings.push_back(std::move(meaning));
  }
  return meanings;
}

std::string show_meaning_levels(const std::vector<SignatureMeaning>& meanings) {
  std::string text;
  for (const SignatureMeaning& meaning : meanings) {
    if (!text.empty()) text += ',';
    text += meaning.name + ":" + std::to_string(meaning.max_level);
  }
  return text;
}

Result<std::vector<std::string>> parse_meaning_list(std::string_view text) {
  std::vector<std::string> names;
  for (const std::string_view item : list_items(text)) {
    names.emplace_back(item);
    if (auto named = check_meaning_name(names.back()); !named) return fail(named.error());
  }
  return names;
}

}  // namespace syntax_detail
}  // namespace automation::config
