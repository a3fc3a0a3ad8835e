#pragma once

// What the policy lets an actor do, asked in advance (issue 23, "the UI asks the API what is
// allowed"): every answer is the Decision of the same core/policy function the operation
// itself calls, so a console that shows only the allowed actions cannot disagree with the
// routes that perform them.

#include "automation/core/policy.hpp"

namespace automation::policy {

// Operations on one user, as the routes that perform them decide.
struct TargetActions {
  bool edit = false;             // PUT /api/users/<username>
  bool delete_user = false;      // DELETE /api/users/<username>
  bool change_password = false;  // POST /api/users/change_password (own account)
  bool reset_password = false;   // POST /api/users/reset_password
  bool change_role = false;      // POST /api/users/update_role (to some role of the actor's level or lower privilege)
  bool unlock = false;           // POST /api/users/<username>/unlock
  bool manage_sessions = false;  // GET/DELETE /api/users/<username>/sessions
  bool reset_mfa = false;        // POST /api/users/<username>/mfa/reset
};

// Operations that need no target user.
struct ActorActions {
  bool list_users = false;    // GET /api/users (every session and token may)
  bool create_users = false;  // POST /api/users/signup with a role of the actor's choosing
  bool manage_roles = false;  // POST /api/users/update_role at all
  bool add_roles = false;     // POST /api/users/roles/add (some level)
  bool read_audit = false;    // GET /api/users/audit and /api/users/audit/export
  bool read_overview = false; // GET /api/overview
  bool manage_tpts = false;   // POST /api/users/create_tpt, GET /api/users/tpts, DELETE
  bool own_account = false;   // /api/users/me, change_password, MFA set-up, logout
};

TargetActions target_actions(const Actor& actor, const Target& target);
ActorActions actor_actions(const Actor& actor);

}  // namespace automation::policy
