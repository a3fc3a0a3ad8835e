#pragma once

// The pure rules of directory login (no I/O): which role a user's groups give, and which
// directory answers an offline login may stand in for.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/directory.hpp"
#include "automation/core/model.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// A DN in the form two spellings of one DN share: ASCII lower case, no blanks around the
// separators (',' '=' '+'). Enough for what administrators type against what servers return;
// escaped characters are compared as escaped.
std::string comparable_dn(std::string_view dn);

// The most privileged role (lowest level) that the user's groups map to, among the roles that
// exist (`roles`). Never a sudo role, whatever the map says (SPEC §8: never sudo from outside).
// nullopt: no group maps to a role that exists, and the user is refused.
std::optional<Role> role_for_groups(const std::vector<std::string>& groups,
                                    const std::vector<GroupRoleMapping>& mappings,
                                    const std::vector<Role>& roles);

// Only a directory that nobody could reach may be stood in for by a kept password: every
// answer the directory gave (wrong password, disabled, unknown, must change) stands.
bool allows_offline_login(DirectoryOutcome outcome);

// Why a directory login was refused, for the audit trail ("" for kAuthenticated).
std::string_view refusal_reason(DirectoryOutcome outcome);

}  // namespace automation
