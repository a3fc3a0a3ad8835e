#pragma once

// Directory login (LDAP, Active Directory): what the core asks of a directory, and the
// directory-managed accounts it keeps (docs/directory-login.md). The libldap adapter lives in
// src/automation/directory/; the rules live in directory_rules.hpp and directory_login.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"

namespace automation {

// Error::type of a password change or reset for a user the directory manages (400).
inline constexpr std::string_view kDirectoryManaged = "directory_managed";

// A person as the directory describes them.
struct DirectoryEntry {
  std::string dn;
  std::string username;
  std::string email;
  std::optional<std::string> name;
  std::optional<std::string> lastname;
  std::vector<std::string> groups;  // group DNs, as the directory spells them
};

// What the directory answered. Only kUnreachable lets an offline login through: every other
// answer is the directory's word and stands.
enum class DirectoryOutcome {
  kAuthenticated,       // the bind as the user succeeded (entry set)
  kWrongPassword,       // the directory refused the user's bind (or the password was empty)
  kNoSuchUser,          // the user filter found nobody (or more than one entry)
  kDisabled,            // AD: userAccountControl has ACCOUNTDISABLE (2)
  kMustChangePassword,  // AD: pwdLastSet = 0
  kUnreachable,         // no server answered (down, timeout, TLS handshake or certificate)
  kFailed,              // a server answered with an error (service bind refused, bad filter)
};

struct DirectoryAnswer {
  DirectoryOutcome outcome = DirectoryOutcome::kFailed;
  std::optional<DirectoryEntry> entry;  // kAuthenticated, and a lookup that found the user
  // What happened, for the audit trail, the log and `automation ldap test`: the server, the
  // step and the directory's own words; never a password.
  std::string detail;
};

// One step of a directory conversation, for `automation ldap test`.
struct DirectoryStep {
  std::string what;  // "connect ldaps://dc1:636", "service bind", "search", ...
  bool ok = false;
  std::string outcome;  // the server's answer in its own words
};

// The directory, as the core uses it. Implementations block (network I/O, bounded by their
// timeouts): call them from the password workers, never from an I/O thread.
class DirectoryPort {
 public:
  virtual ~DirectoryPort() = default;
  // Finds `username` with the service bind and binds as the entry found with `password`.
  // An empty password is refused before any bind (an LDAP bind without one is anonymous).
  // `steps`, when given, receives each step and its outcome.
  virtual DirectoryAnswer authenticate(std::string_view username, std::string_view password,
                                       std::vector<DirectoryStep>* steps = nullptr) = 0;
  // The entry of `username` as it stands now, with the service bind (for the sync):
  // kAuthenticated with the entry when found and usable, else what stands in the way.
  virtual DirectoryAnswer look_up(std::string_view username) = 0;
};

// A user row the directory manages: the marker, and what an offline login needs.
struct DirectoryAccount {
  std::int64_t user_id = 0;
  std::string dn;
  // Argon2id hash of the last password the directory accepted ("" = none kept), and until when
  // it may be used (0 = never).
  std::string offline_hash;
  UnixSeconds offline_until = 0;
};

// A directory-managed user that holds at least one live session (the sync's work list).
struct DirectoryMember {
  User user;
  DirectoryAccount account;
};

// The directory-managed accounts (a table of the service's own: PyAutomation's users table
// stays as upstream creates it).
class DirectoryAccountStore {
 public:
  virtual ~DirectoryAccountStore() = default;
  virtual Result<std::optional<DirectoryAccount>> find_directory_account(std::int64_t user_id) = 0;
  // Inserts or replaces the user's record.
  virtual Status save_directory_account(const DirectoryAccount& account) = 0;
  // Directory-managed users with a session that has not expired at `now`, by user id.
  virtual Result<std::vector<DirectoryMember>> directory_members_with_sessions(UnixSeconds now) = 0;
};

}  // namespace automation
