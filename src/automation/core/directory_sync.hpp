#pragma once

// Leavers (docs/directory-login.md, "Sync"): the directory users that hold a live session are
// re-read; one disabled, deleted or no longer in a mapped group loses their sessions at once
// (through the store, so the change feed carries it to every node), and a changed group
// changes the role. A directory that cannot be reached changes nothing: an outage never looks
// like "everyone left".

#include <cstddef>
#include <string>

#include "automation/core/audited_change.hpp"
#include "automation/core/directory.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// What one pass did.
struct DirectorySyncReport {
  std::size_t checked = 0;         // users re-read
  std::size_t sessions_ended = 0;  // users whose sessions ended
  std::size_t roles_changed = 0;
  std::size_t errors = 0;  // users the directory answered about with an error
  // No server could be reached: the pass stopped and changed nothing after that point.
  bool unreachable = false;
  std::string detail;  // why, when unreachable
};

class DirectorySync {
 public:
  struct Ports {
    DirectoryPort& directory;
    DirectoryAccountStore& accounts;
    UserStore& users;
    RoleStore& roles;
    SessionStore& sessions;
    Clock& clock;
  };
  DirectorySync(const Ports& ports, const DirectorySettings& settings, AuditedChanges& audited);

  // One pass over the directory users with live sessions. Each change is audited as
  // "directory_sync" (actor "directory"), with the change and its audit event in one unit.
  Result<DirectorySyncReport> run();

 private:
  Status end_sessions(const User& user, std::string_view why);
  Status change_role(const User& user, const Role& role);

  Ports ports_;
  const DirectorySettings& settings_;
  AuditedChanges& audited_;
};

}  // namespace automation
