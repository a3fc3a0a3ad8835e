#include "automation/core/policy_subjects.hpp"

namespace automation {

policy::Actor actor_of(const Principal& principal) {
  return policy::Actor{principal.role.name, principal.role.level,
                       principal.kind == Principal::Kind::kThirdPartyToken,
                       principal.user ? std::string_view(principal.user->username)
                                      : std::string_view(),
                       principal.password_change != PasswordChangeDemand::kNone,
                       principal.mfa_enrollment_required,
                       principal.user ? std::string_view(principal.user->identifier)
                                      : std::string_view()};
}

policy::Target target_of(const User& user) {
  return policy::Target{user.role.name, user.role.level, user.username};
}

}  // namespace automation
