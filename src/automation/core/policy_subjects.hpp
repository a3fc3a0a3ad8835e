#pragma once

// The policy's view (core/policy.hpp) of who acts and on whom: a principal as a policy::Actor,
// a user as a policy::Target. Views into their arguments, which must outlive them.

#include "automation/core/model.hpp"
#include "automation/core/policy.hpp"

namespace automation {

policy::Actor actor_of(const Principal& principal);
policy::Target target_of(const User& user);

}  // namespace automation
