#pragma once

// Value syntaxes of the directory-login settings (setting.hpp): the server URLs and the
// group-to-role map.

#include "automation/config/setting.hpp"

namespace automation::config {

// AUTOMATION_LDAP_URLS: comma-separated ldaps:// or ldap:// URLs; "" = directory login off.
ValueSyntax ldap_urls();
// AUTOMATION_LDAP_GROUP_ROLE_MAP: "<group DN> => <role>" entries separated by ';'. A sudo
// role is refused (never sudo from the directory).
ValueSyntax group_role_map();
// AUTOMATION_LDAP_USER_FILTER / _GROUP_FILTER: a filter in parentheses that holds
// `placeholder` ("{username}", "{dn}"); "" allowed when `optional`.
template <typename Field>
ValueSyntax ldap_filter(std::string placeholder, bool optional, Field field);

namespace syntax_detail {
Status check_ldap_filter(std::string_view text, const std::string& placeholder, bool optional);
}  // namespace syntax_detail

template <typename Field>
ValueSyntax ldap_filter(std::string placeholder, bool optional, Field field) {
  return ValueSyntax{"LDAP filter", "with " + placeholder,
                     [=](std::string_view value, Config& config) -> Status {
                       if (auto ok = syntax_detail::check_ldap_filter(value, placeholder, optional);
                           !ok) {
                         return ok;
                       }
                       field(config) = std::string(value);
                       return {};
                     },
                     [=](const Config& config) -> std::string { return field(config); }};
}

}  // namespace automation::config
