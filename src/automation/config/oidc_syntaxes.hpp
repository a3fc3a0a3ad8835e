#pragma once

// The OpenID Connect provider's settings that have a syntax of their own (setting.hpp): the
// issuer URL, and the issuer derived from the listener when none is set.

#include <string>
#include <string_view>

#include "automation/config/setting.hpp"

namespace automation::config {

// An http:// or https:// URL without a trailing slash, query or fragment; "" = derived.
template <typename Field>
ValueSyntax issuer_url(Field field);

// The issuer clients reach this listener at when AUTOMATION_OIDC_ISSUER is unset:
// http(s)://HOST:PORT (https with AUTOMATION_TLS_CERT_FILE), with 127.0.0.1 for 0.0.0.0 and
// [::1] for :: (a wildcard is no address a client can use), IPv6 addresses in brackets.
std::string derived_oidc_issuer(const ServerConfig& server);

namespace syntax_detail {
Status check_issuer_url(std::string_view text);
}  // namespace syntax_detail

template <typename Field>
ValueSyntax issuer_url(Field field) {
  return ValueSyntax{"URL", "http(s)://host[:port][/path], no trailing slash",
                     [=](std::string_view value, Config& config) -> Status {
                       if (auto checked = syntax_detail::check_issuer_url(value); !checked) {
                         return checked;
                       }
                       field(config) = std::string(value);
                       return {};
                     },
                     [=](const Config& config) -> std::string { return field(config); }};
}

}  // namespace automation::config
