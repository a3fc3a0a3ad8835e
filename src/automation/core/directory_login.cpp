#include "automation/core/directory_login.hpp"

#include <utility>

#include "automation/core/directory_rules.hpp"
#include "automation/core/user_service.hpp"

namespace automation {
namespace {

// A refusal answers exactly like a wrong password; the trail gets the reason.
std::unexpected<Error> directory_refusal(std::string reason) {
  Error error = Error::make(ErrorCode::kPermissionDenied, "Invalid credentials");
  error.audit_detail = std::move(reason);
  return fail(std::move(error));
}

std::unexpected<Error> directory_unreachable(std::string reason) {
  Error error =
      Error::make(ErrorCode::kUnavailable, "The directory cannot be reached; try again later");
  error.retry_after_seconds = 30;
  error.audit_detail = std::move(reason);
  return fail(std::move(error));
}

// PyAutomation's users need an e-mail; a directory entry without one gets an address that can
// never be delivered (RFC 2606's .invalid) and never collides with a real one.
std::string email_of(const DirectoryEntry& entry) {
  if (!entry.email.empty()) return entry.email;
  return entry.username + "@directory.invalid";
}

}  // namespace

DirectoryLogin::DirectoryLogin(const Ports& ports, const DirectorySettings& settings)
    : ports_(ports), settings_(settings) {}

Result<bool> DirectoryLogin::decides_for(const std::optional<User>& found) {
  if (!found) return true;
  auto account = ports_.accounts.find_directory_account(found->id);
  if (!account) return fail(account.error());
  return account->has_value();
}

Result<DirectoryLoginOutcome> DirectoryLogin::authenticate(std::string_view name,
                                                           std::string_view password,
                                                           const std::optional<User>& found) {
  // A known directory user is asked for by their username, however they typed their name
  // (their e-mail, say), so the user filter needs to match one attribute only.
  DirectoryAnswer answer =
      ports_.directory.authenticate(found ? std::string_view(found->username) : name, password);
  if (answer.outcome == DirectoryOutcome::kAuthenticated && answer.entry) {
    return mirror(*answer.entry, password);
  }
  if (allows_offline_login(answer.outcome)) return offline(found, password, answer.detail);
  equal_work(password);
  std::string reason(refusal_reason(answer.outcome));
  if (answer.outcome == DirectoryOutcome::kFailed && !answer.detail.empty()) {
    reason += ": " + answer.detail;
  }
  return directory_refusal(std::move(reason));
}

void DirectoryLogin::equal_work(std::string_view password) {
  // The hasher's contract: verifying against an empty stored hash costs one KDF evaluation
  // and never matches (what SessionService::check_password runs for an unknown name).
  (void)ports_.hasher.verify(password, "");
}

Result<DirectoryLoginOutcome> DirectoryLogin::mirror(const DirectoryEntry& entry,
                                                     std::string_view password) {
  // This login's one KDF evaluation, before any refusal below: the hash kept for offline
  // login when that is on, else the same throw-away work.
  DirectoryAccount record{0, entry.dn, "", 0};
  if (settings_.offline_login_hours > 0) {
    auto hash = ports_.hasher.hash(password);
    if (!hash) return fail(hash.error());
    record.offline_hash = std::move(*hash);
    record.offline_until = ports_.clock.now() + settings_.offline_login_hours * 3600;
  } else {
    equal_work(password);
  }
  if (!is_plausible_lookup_key(entry.username)) {
    return directory_refusal("directory: the entry's username cannot name a user");
  }
  auto roles = ports_.roles.list_roles();
  if (!roles) return fail(roles.error());
  const std::optional<Role> role = role_for_groups(entry.groups, settings_.group_roles, *roles);
  if (!role) return directory_refusal("directory: no group of the user maps to a role");

  auto existing = ports_.users.find_user_by_username(entry.username);
  if (!existing) return fail(existing.error());
  DirectoryLoginOutcome outcome;
  outcome.audit_note = "directory login";
  if (*existing) {
    User user = std::move(**existing);
    auto account = ports_.accounts.find_directory_account(user.id);
    if (!account) return fail(account.error());
    if (!*account) return directory_refusal("directory: a local account has the same username");
    if (user.role.id != role->id) {
      if (auto set = ports_.users.set_user_role(user.id, role->id); !set) return fail(set.error());
      outcome.audit_note += "; role " + user.role.name + " -> " + role->name + " from its groups";
      user.role = *role;
    }
    UserEdit edit;
    const std::string email = email_of(entry);
    if (email != user.email) edit.email = email;
    if (entry.name != user.name) edit.name = entry.name.value_or("");
    if (entry.lastname != user.lastname) edit.lastname = entry.lastname.value_or("");
    if (edit.email || edit.name || edit.lastname) {
      auto updated = ports_.users.update_profile(user.id, edit);
      if (!updated) {
        if (updated.error().code == ErrorCode::kAlreadyExists) {
          return directory_refusal("directory: the entry's e-mail belongs to another user");
        }
        return fail(updated.error());
      }
      user = std::move(*updated);
      outcome.audit_note += "; profile updated from the directory";
    }
    outcome.user = std::move(user);
  } else {
    // No password of its own: an empty hash never matches, so the row cannot be logged in to
    // locally, even if directory login is turned off later.
    NewUser row{ports_.random.random_hex(8),
                entry.username,
                email_of(entry),
                "",
                role->id,
                entry.name,
                entry.lastname};
    auto added = ports_.users.add_user(row);
    if (!added) {
      if (added.error().code == ErrorCode::kAlreadyExists) {
        return directory_refusal("directory: the entry's e-mail belongs to another user");
      }
      return fail(added.error());
    }
    outcome.user = std::move(*added);
    outcome.audit_note += "; user created with role " + role->name;
  }

  record.user_id = outcome.user.id;
  if (auto saved = ports_.accounts.save_directory_account(record); !saved) {
    return fail(saved.error());
  }
  return outcome;
}

Result<DirectoryLoginOutcome> DirectoryLogin::offline(const std::optional<User>& found,
                                                      std::string_view password,
                                                      const std::string& detail) {
  const std::string reason = "directory unreachable" + (detail.empty() ? "" : " (" + detail + ")");
  if (settings_.offline_login_hours <= 0 || !found) {
    equal_work(password);
    return directory_unreachable(reason);
  }
  auto account = ports_.accounts.find_directory_account(found->id);
  if (!account) return fail(account.error());
  if (!*account || (*account)->offline_hash.empty() ||
      ports_.clock.now() >= (*account)->offline_until) {
    equal_work(password);
    return directory_unreachable(reason + "; no offline login kept for the user");
  }
  if (!ports_.hasher.verify(password, (*account)->offline_hash).matches) {
    return directory_refusal(reason + "; offline login: wrong password");
  }
  return DirectoryLoginOutcome{*found, "offline directory login: " + reason};
}

}  // namespace automation
