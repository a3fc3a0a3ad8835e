#pragma once

// Password checks against the directory (docs/directory-login.md): who the directory decides
// for, and the local user row that mirrors a directory user (created or brought up to date
// at each login: just in time), so sessions, roles, audit and every rule work unchanged.

#include <optional>
#include <string>
#include <string_view>

#include "automation/core/directory.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// A password the directory (or, while it is unreachable, the kept hash) accepted.
struct DirectoryLoginOutcome {
  User user;
  std::string audit_note;  // "directory login", "offline directory login", and what changed
};

class DirectoryLogin {
 public:
  struct Ports {
    DirectoryPort& directory;
    DirectoryAccountStore& accounts;
    UserStore& users;
    RoleStore& roles;
    PasswordHasher& hasher;
    RandomSource& random;
    Clock& clock;
  };
  DirectoryLogin(const Ports& ports, const DirectorySettings& settings);

  // Whether the directory checks this login's password: a name that matches no local user, or
  // a user the directory manages. A local account (the system user above all) never asks
  // the directory, so the directory can never lock out the local administrator.
  Result<bool> decides_for(const std::optional<User>& found);

  // Checks `password` for `name` with the directory. Every path costs exactly one KDF
  // evaluation, as a local login and an unknown name do (SessionService::check_password), so
  // that timing does not tell local accounts, directory users and unknown names apart by the
  // hash's cost (docs/directory-login.md, "Timing"). Refusals are kPermissionDenied "Invalid
  // credentials", as a wrong local password, with the reason in Error::audit_detail; an
  // unreachable directory without a usable kept hash is kUnavailable. On success the user's
  // row (and directory record) is created or updated: call inside the login's unit of work.
  Result<DirectoryLoginOutcome> authenticate(std::string_view name, std::string_view password,
                                             const std::optional<User>& found);

 private:
  // The row for `entry`, created or updated, with the role its groups map to.
  Result<DirectoryLoginOutcome> mirror(const DirectoryEntry& entry, std::string_view password);
  // One KDF evaluation whose result is thrown away (a path that has no hash to check).
  void equal_work(std::string_view password);
  // The kept hash, when the directory cannot be reached.
  Result<DirectoryLoginOutcome> offline(const std::optional<User>& found, std::string_view password,
                                        const std::string& detail);

  Ports ports_;
  const DirectorySettings& settings_;
};

}  // namespace automation
