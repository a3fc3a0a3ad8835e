#include "automation/core/directory_rules.hpp"

#include "automation/core/policy.hpp"
#include "automation/core/text.hpp"

namespace automation {

std::string comparable_dn(std::string_view dn) {
  std::string out;
  out.reserve(dn.size());
  const std::string lower = to_lower_ascii(trim(dn));
  for (std::size_t i = 0; i < lower.size(); ++i) {
    const char c = lower[i];
    if (c == ',' || c == '=' || c == '+') {
      while (!out.empty() && out.back() == ' ' &&
             !(out.size() >= 2 && out[out.size() - 2] == '\\')) {
        out.pop_back();
      }
      out.push_back(c);
      while (i + 1 < lower.size() && lower[i + 1] == ' ') ++i;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::optional<Role> role_for_groups(const std::vector<std::string>& groups,
                                    const std::vector<GroupRoleMapping>& mappings,
                                    const std::vector<Role>& roles) {
  std::optional<Role> best;
  for (const std::string& group : groups) {
    const std::string key = comparable_dn(group);
    for (const GroupRoleMapping& mapping : mappings) {
      if (comparable_dn(mapping.group_dn) != key) continue;
      for (const Role& role : roles) {
        if (!iequals_ascii(role.name, mapping.role)) continue;
        if (policy::is_sudo_role(role.name, role.level)) continue;
        if (!best || role.level < best->level) best = role;
      }
    }
  }
  return best;
}

bool allows_offline_login(DirectoryOutcome outcome) {
  return outcome == DirectoryOutcome::kUnreachable;
}

std::string_view refusal_reason(DirectoryOutcome outcome) {
  switch (outcome) {
    case DirectoryOutcome::kAuthenticated:
      return "";
    case DirectoryOutcome::kWrongPassword:
      return "directory: wrong password";
    case DirectoryOutcome::kNoSuchUser:
      return "directory: no such user";
    case DirectoryOutcome::kDisabled:
      return "directory: account disabled";
    case DirectoryOutcome::kMustChangePassword:
      return "directory: the password must be changed in the directory first";
    case DirectoryOutcome::kUnreachable:
      return "directory unreachable";
    case DirectoryOutcome::kFailed:
      return "directory error";
  }
  return "directory error";
}

}  // namespace automation
