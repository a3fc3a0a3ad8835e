#pragma once

// Value syntaxes of the front door's settings (setting.hpp): CORS origins, host lists and the
// cookie domain. Origins and hosts are checked and normalized with core/web_origin.hpp, the
// same code the server compares browsers' headers with.

#include <string>
#include <string_view>
#include <vector>

#include "automation/config/setting.hpp"

namespace automation::config {

// "*", "off", or a comma-separated list of origins (scheme://host[:port]).
ValueSyntax cors_origins();
// A comma-separated list of hosts ("host" or "host:port"); "" = none.
template <typename Field>
ValueSyntax host_list(Field field);
// A domain name for the cookie's Domain attribute (a leading '.' is dropped); "" = none.
template <typename Field>
ValueSyntax cookie_domain(Field field);

namespace syntax_detail {
Result<std::vector<std::string>> parse_hosts(std::string_view text);
Result<std::string> parse_cookie_domain(std::string_view text);
}  // namespace syntax_detail

template <typename Field>
ValueSyntax host_list(Field field) {
  return ValueSyntax{"host list", "",
                     [=](std::string_view value, Config& config) -> Status {
                       auto parsed = syntax_detail::parse_hosts(value);
                       if (!parsed) return fail(parsed.error());
                       field(config) = std::move(*parsed);
                       return {};
                     },
                     [=](const Config& config) {
                       std::string text;
                       for (const auto& host : field(config)) {
                         if (!text.empty()) text += ',';
                         text += host;
                       }
                       return text;
                     }};
}

template <typename Field>
ValueSyntax cookie_domain(Field field) {
  return ValueSyntax{"domain name", "",
                     [=](std::string_view value, Config& config) -> Status {
                       auto parsed = syntax_detail::parse_cookie_domain(value);
                       if (!parsed) return fail(parsed.error());
                       field(config) = std::move(*parsed);
                       return {};
                     },
                     [=](const Config& config) -> std::string { return field(config); }};
}

}  // namespace automation::config
