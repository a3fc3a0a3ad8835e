#include "automation/config/directory_syntaxes.hpp"

#include "automation/config/value_syntaxes.hpp"
#include "automation/core/policy.hpp"
#include "automation/core/text.hpp"

namespace automation::config {

ValueSyntax ldap_urls() {
  return ValueSyntax{
      "URL list", "ldaps:// or ldap:// URLs",
      [](std::string_view value, Config& config) -> Status {
        std::vector<std::string> urls;
        for (const auto item : syntax_detail::list_items(value)) {
          const std::string lower = to_lower_ascii(item);
          const bool scheme_ok = lower.starts_with("ldaps://") || lower.starts_with("ldap://");
          if (!scheme_ok || item.find_first_of(" \t") != std::string_view::npos ||
              has_control_characters(item)) {
            return fail(ErrorCode::kInvalidArgument,
                        "'" + std::string(item) + "' is not an ldaps:// or ldap:// URL");
          }
          urls.emplace_back(item);
        }
        config.ldap.urls = urls;
        config.core.directory.enabled = !urls.empty();
        return {};
      },
      [](const Config& config) { return syntax_detail::join(config.ldap.urls, ","); }};
}

ValueSyntax group_role_map() {
  return ValueSyntax{"group => role list", "<group DN> => <role>; ...",
                     [](std::string_view value, Config& config) -> Status {
                       std::vector<GroupRoleMapping> mappings;
                       for (const auto item : syntax_detail::list_items(value, ';')) {
                         const auto arrow = item.find("=>");
                         const auto group = arrow == std::string_view::npos
                                                ? std::string_view()
                                                : trim(item.substr(0, arrow), kSettingBlanks);
                         const auto role = arrow == std::string_view::npos
                                               ? std::string_view()
                                               : trim(item.substr(arrow + 2), kSettingBlanks);
                         if (group.empty() || role.empty()) {
                           return fail(ErrorCode::kInvalidArgument,
                                       "'" + std::string(item) + "' is not '<group DN> => <role>'");
                         }
                         if (policy::is_sudo_role(role)) {
                           return fail(ErrorCode::kInvalidArgument,
                                       "maps a group to sudo: the directory never grants sudo");
                         }
                         mappings.push_back({std::string(group), std::string(role)});
                       }
                       config.core.directory.group_roles = std::move(mappings);
                       return {};
                     },
                     [](const Config& config) {
                       std::string text;
                       for (const auto& mapping : config.core.directory.group_roles) {
                         if (!text.empty()) text += "; ";
                         text += mapping.group_dn + " => " + mapping.role;
                       }
                       return text;
                     }};
}

namespace syntax_detail {

Status check_ldap_filter(std::string_view text, const std::string& placeholder, bool optional) {
  if (text.empty() && optional) return {};
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    return fail(ErrorCode::kInvalidArgument, "must be an LDAP filter in parentheses");
  }
  if (text.find(placeholder) == std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "must contain " + placeholder);
  }
  if (has_control_characters(text)) {
    return fail(ErrorCode::kInvalidArgument, "must not contain control characters");
  }
  return {};
}

}  // namespace syntax_detail
}  // namespace automation::config
