#include "automation/core/directory_sync.hpp"

#include "automation/core/directory_rules.hpp"

namespace automation {
namespace {

constexpr const char* kSyncEvent = "directory_sync";
constexpr const char* kSyncActor = "directory";
constexpr const char* kSyncAddress = "sync";

}  // namespace

DirectorySync::DirectorySync(const Ports& ports, const DirectorySettings& settings,
                             AuditedChanges& audited)
    : ports_(ports), settings_(settings), audited_(audited) {}

Status DirectorySync::end_sessions(const User& user, std::string_view why) {
  return audited_.run(
      [&] { return ports_.sessions.delete_user_sessions(user.id); },
      [&](const Status& status) {
        AuditOutcome outcome = audit_outcome_of(status);
        if (status) outcome.reason = "sessions ended: " + std::string(why);
        return AuditRecord{kSyncEvent, kSyncActor, user.username, kSyncAddress, std::move(outcome)};
      });
}

Status DirectorySync::change_role(const User& user, const Role& role) {
  return audited_.run(
      [&] { return ports_.users.set_user_role(user.id, role.id); },
      [&](const Status& status) {
        AuditOutcome outcome = audit_outcome_of(status);
        if (status) {
          outcome.reason =
              "role " + user.role.name + " -> " + role.name + " from the directory's groups";
        }
        return AuditRecord{kSyncEvent, kSyncActor, user.username, kSyncAddress, std::move(outcome)};
      });
}

Result<DirectorySyncReport> DirectorySync::run() {
  DirectorySyncReport report;
  auto members = ports_.accounts.directory_members_with_sessions(ports_.clock.now());
  if (!members) return fail(members.error());
  auto roles = ports_.roles.list_roles();
  if (!roles) return fail(roles.error());
  for (const DirectoryMember& member : *members) {
    const User& user = member.user;
    const DirectoryAnswer answer = ports_.directory.look_up(user.username);
    if (answer.outcome == DirectoryOutcome::kUnreachable) {
      report.unreachable = true;
      report.detail = answer.detail;
      return report;
    }
    ++report.checked;
    if (answer.outcome == DirectoryOutcome::kFailed) {
      ++report.errors;  // an answer that says nothing about the user changes nothing
      continue;
    }
    if (answer.outcome != DirectoryOutcome::kAuthenticated || !answer.entry) {
      if (auto ended = end_sessions(user, refusal_reason(answer.outcome)); !ended) {
        return fail(ended.error());
      }
      ++report.sessions_ended;
      continue;
    }
    const std::optional<Role> role =
        role_for_groups(answer.entry->groups, settings_.group_roles, *roles);
    if (!role) {
      if (auto ended = end_sessions(user, "directory: no group of the user maps to a role");
          !ended) {
        return fail(ended.error());
      }
      ++report.sessions_ended;
    } else if (role->id != user.role.id) {
      if (auto changed = change_role(user, *role); !changed) return fail(changed.error());
      ++report.roles_changed;
    }
  }
  return report;
}

}  // namespace automation
