#pragma once

// The value syntaxes settings are read with (setting.hpp): generic ones (integers, booleans,
// text, a word from a list) and the few settings with a syntax of their own.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "automation/config/setting.hpp"

namespace automation::config {

// --- value syntaxes: each field is reached through an accessor that takes a Config or a const
// Config and returns a reference to the member (a generic lambda: [](auto& c) -> auto& {...}) ---

// A whole number in [min, max].
template <typename Field>
ValueSyntax integer(long long min, long long max, Field field);
// true/false (also 1/0, yes/no, True/False).
template <typename Field>
ValueSyntax boolean(Field field);
// Any text; `non_empty` refuses "".
template <typename Field>
ValueSyntax text(Field field, bool non_empty = false, std::string type = "text");
// One of a fixed list of words.
template <typename Field>
ValueSyntax one_of(std::initializer_list<std::string_view> words, Field field);

// --- implementation details of the templates above ---
namespace syntax_detail {
Status parse_integer(std::string_view text, long long min, long long max, long long& out);
Status parse_boolean(std::string_view text, bool& out);
// "a, b or c".
std::string listing(const std::vector<std::string>& words);
// The non-empty items of a list separated by `separator`, trimmed.
std::vector<std::string_view> list_items(std::string_view text, char separator = ',');
}  // namespace syntax_detail

template <typename Field>
ValueSyntax integer(long long min, long long max, Field field) {
  return ValueSyntax{
      "integer", std::to_string(min) + "-" + std::to_string(max),
      [=](std::string_view value, Config& config) -> Status {
        long long parsed = 0;
        if (auto status = syntax_detail::parse_integer(value, min, max, parsed); !status) {
          return status;
        }
        auto& target = field(config);
        target = static_cast<std::remove_reference_t<decltype(target)>>(parsed);
        return {};
      },
      [=](const Config& config) { return std::to_string(static_cast<long long>(field(config))); }};
}

template <typename Field>
ValueSyntax boolean(Field field) {
  return ValueSyntax{
      "boolean", "true, false",
      [=](std::string_view value, Config& config) -> Status {
        return syntax_detail::parse_boolean(value, field(config));
      },
      [=](const Config& config) -> std::string { return field(config) ? "true" : "false"; }};
}

template <typename Field>
ValueSyntax text(Field field, bool non_empty, std::string type) {
  return ValueSyntax{std::move(type), non_empty ? "not empty" : "",
                     [=](std::string_view value, Config& config) -> Status {
                       if (non_empty && value.empty()) {
                         return fail(ErrorCode::kInvalidArgument, "must not be empty");
                       }
                       field(config) = std::string(value);
                       return {};
                     },
                     [=](const Config& config) -> std::string { return field(config); }};
}

template <typename Field>
ValueSyntax one_of(std::initializer_list<std::string_view> words, Field field) {
  std::vector<std::string> choices(words.begin(), words.end());
  const std::string listed = syntax_detail::listing(choices);
  return ValueSyntax{"one of", listed,
                     [=](std::string_view value, Config& config) -> Status {
                       for (const auto& choice : choices) {
                         if (value == choice) {
                           field(config) = choice;
                           return {};
                         }
                       }
                       return fail(ErrorCode::kInvalidArgument, "must be " + listed);
                     },
                     [=](const Config& config) -> std::string { return field(config); }};
}

// Settings with a syntax of their own, reached through the same kind of accessor.
// A comma-separated list of IPv4/IPv6 addresses, kept in canonical form ("::1").
template <typename Field>
ValueSyntax address_list(Field field);
// text | json.
template <typename Field>
ValueSyntax log_format(Field field);
// on | off.
template <typename Field>
ValueSyntax on_off(Field field);
// on | off | HOST:PORT.
template <typename Field>
ValueSyntax metrics_mode(Field field);
// A port 1-65535, or unset (0: the driver's default).
template <typename Field>
ValueSyntax optional_port(Field field);
// An optional secret of at least `min_bytes` bytes.
template <typename Field>
ValueSyntax minimum_length_secret(std::size_t min_bytes, Field field);
// An optional secret; empty counts as unset.
template <typename Field>
ValueSyntax optional_secret(Field field);
// 0 (off) or at least `min_seconds`, at most `max_seconds`.
template <typename Field>
ValueSyntax idle_timeout(long long max_seconds, long long min_seconds, Field field);
// Signature meanings with the least privileged role level that may sign each:
// "performed:10,reviewed:2"; empty = none.
template <typename Field>
ValueSyntax meaning_levels(Field field);
// A comma-separated list of signature meanings; empty = none.
template <typename Field>
ValueSyntax meaning_list(Field field);
// A whole number in [min, max] held in a std::optional, or empty for none (off).
template <typename Field>
ValueSyntax optional_integer(long long min, long long max, Field field);

namespace syntax_detail {
Result<std::vector<std::string>> parse_addresses(std::string_view text);
std::string join(const std::vector<std::string>& items, std::string_view separator);
Result<MetricsConfig> parse_metrics(std::string_view text);
std::string show_metrics(const MetricsConfig& metrics);
Result<std::vector<SignatureMeaning>> parse_meaning_levels(std::string_view text);
std::string show_meaning_levels(const std::vector<SignatureMeaning>& meanings);
Result<std::vector<std::string>> parse_meaning_list(std::string_view text);
}  // namespace syntax_detail

template <typename Field>
ValueSyntax address_list(Field field) {
  return ValueSyntax{"IP address list", "",
                     [=](std::string_view value, Config& config) -> Status {
                       auto parsed = syntax_detail::parse_addresses(value);
                       if (!parsed) return fail(parsed.error());
                       field(config) = std::move(*parsed);
                       return {};
                     },
                     [=](const Config& config) { return syntax_detail::join(field(config), ","); }};
}

template <typename Field>
ValueSyntax log_format(Field field) {
  return ValueSyntax{"one of", "text, json",
                     [=](std::string_view value, Config& config) -> Status {
                       if (value == "text") {
                         field(config) = LoggingConfig::Format::kText;
                       } else if (value == "json") {
                         field(config) = LoggingConfig::Format::kJson;
                       } else {
                         return fail(ErrorCode::kInvalidArgument, "must be text or json");
                       }
                       return {};
                     },
                     [=](const Config& config) -> std::string {
                       return field(config) == LoggingConfig::Format::kJson ? "json" : "text";
                     }};
}

template <typename Field>
ValueSyntax on_off(Field field) {
  return ValueSyntax{
      "one of", "on, off",
      [=](std::string_view value, Config& config) -> Status {
        if (value != "on" && value != "off") {
          return fail(ErrorCode::kInvalidArgument, "must be on or off");
        }
        field(config) = value == "on";
        return {};
      },
      [=](const Config& config) -> std::string { return field(config) ? "on" : "off"; }};
}

template <typename Field>
ValueSyntax metrics_mode(Field field) {
  return ValueSyntax{
      "on, off or HOST:PORT", "",
      [=](std::string_view value, Config& config) -> Status {
        auto parsed = syntax_detail::parse_metrics(value);
        if (!parsed) return fail(parsed.error());
        field(config) = std::move(*parsed);
        return {};
      },
      [=](const Config& config) { return syntax_detail::show_metrics(field(config)); }};
}

template <typename Field>
ValueSyntax optional_port(Field field) {
  ValueSyntax port = integer(1, 65535, field);
  port.show = [=](const Config& config) -> std::string {
    return field(config) == 0 ? std::string() : std::to_string(field(config));
  };
  return port;
}

template <typename Field>
ValueSyntax minimum_length_secret(std::size_t min_bytes, Field field) {
  return ValueSyntax{"secret", "at least " + std::to_string(min_bytes) + " bytes",
                     [=](std::string_view value, Config& config) -> Status {
                       if (value.size() < min_bytes) {
                         return fail(ErrorCode::kInvalidArgument,
                                     "must be at least " + std::to_string(min_bytes) + " bytes");
                       }
                       field(config) = std::string(value);
                       return {};
                     },
                     [=](const Config& config) { return field(config).value_or(""); }};
}

template <typename Field>
ValueSyntax optional_secret(Field field) {
  return ValueSyntax{"secret", "",
                     [=](std::string_view value, Config& config) -> Status {
                       if (value.empty()) {
                         field(config).reset();
                       } else {
                         field(config) = std::string(value);
                       }
                       return {};
                     },
                     [=](const Config& config) { return field(config).value_or(""); }};
}

template <typename Field>
ValueSyntax idle_timeout(long long max_seconds, long long min_seconds, Field field) {
  ValueSyntax timeout = integer(0, max_seconds, field);
  timeout.range = "0, or " + std::to_string(min_seconds) + "-" + std::to_string(max_seconds);
  auto parse_integer = timeout.parse;
  timeout.parse = [=](std::string_view value, Config& config) -> Status {
    if (auto status = parse_integer(value, config); !status) return status;
    // Last use is recorded once a minute at most, so a shorter limit could not be kept.
    if (field(config) > 0 && field(config) < min_seconds) {
      return fail(ErrorCode::kInvalidArgument,
                  "must be 0 (off) or at least " + std::to_string(min_seconds) + " seconds");
    }
    return {};
  };
  return timeout;
}

template <typename Field>
ValueSyntax meaning_levels(Field field) {
  return ValueSyntax{"meaning:level list", "meanings of a-z, 0-9, _ and -; levels 0-1000000",
                     [=](std::string_view value, Config& config) -> Status {
                       auto parsed = syntax_detail::parse_meaning_levels(value);
                       if (!parsed) return fail(parsed.error());
                       field(config) = std::move(*parsed);
                       return {};
                     },
                     [=](const Config& config) {
                       return syntax_detail::show_meaning_levels(field(config));
                     }};
}

template <typename Field>
ValueSyntax meaning_list(Field field) {
  return ValueSyntax{"meaning list", "meanings of AUTOMATION_SIGNATURE_MEANINGS",
                     [=](std::string_view value, Config& config) -> Status {
                       auto parsed = syntax_detail::parse_meaning_list(value);
                       if (!parsed) return fail(parsed.error());
                       field(config) = std::move(*parsed);
                       return {};
                     },
                     [=](const Config& config) { return syntax_detail::join(field(config), ","); }};
}

template <typename Field>
ValueSyntax optional_integer(long long min, long long max, Field field) {
  return ValueSyntax{
      "integer", std::to_string(min) + "-" + std::to_string(max) + ", or empty (off)",
      [=](std::string_view value, Config& config) -> Status {
        auto& target = field(config);
        if (value.empty()) {
          target.reset();
          return {};
        }
        long long parsed = 0;
        if (auto status = syntax_detail::parse_integer(value, min, max, parsed); !status) {
          return status;
        }
        target = static_cast<typename std::remove_reference_t<decltype(target)>::value_type>(
            parsed);
        return {};
      },
      [=](const Config& config) -> std::string {
        const auto& value = field(config);
        return value ? std::to_string(static_cast<long long>(*value)) : std::string();
      }};
}

}  // namespace automation::config
