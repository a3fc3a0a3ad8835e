#pragma once

// A SQLite database laid out exactly as PyAutomation (peewee) leaves it: its `roles` and
// `users` tables with peewee's DDL, upper-case role names, 8-hex identifiers and werkzeug
// password hashes. Reusable by higher-level tests (e.g. logging these users in).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace automation::storage::contract {

struct LegacyRole {
  std::string identifier;
  std::string name;  // upper-case, as PyAutomation stores them
  int level = 0;
};

struct LegacyUser {
  std::string identifier;  // 8 hex characters
  std::string username;
  std::string role;  // name of a LegacyRole
  std::optional<std::string> email;  // nullopt only with LegacyLayout::kNullableEmail
  std::string password;  // the plain text, for tests that log in
  std::string hash;      // werkzeug hash of `password`, as stored
  std::optional<std::string> token, name, lastname;
};

// SUDO 0, ADMIN 1, SUPERVISOR 2, OPERATOR 10, AUDITOR 100, GUEST 256.
const std::vector<LegacyRole>& pyautomation_roles();
// system (SUDO), John_Doe (ADMIN), operator1 (OPERATOR), auditor (AUDITOR),
// guest_01 (GUEST): pbkdf2:sha256, scrypt, pbkdf2:sha512 and legacy sha256 hashes.
const std::vector<LegacyUser>& pyautomation_users();

enum class LegacyLayout {
  kPeewee,         // the DDL peewee emits for PyAutomation's models
  kNullableEmail,  // same, with `email` nullable (seen in hand-edited databases)
};

// Creates `file` with the raw SQLite C API: PyAutomation's tables, its roles, then
// `users` (pyautomation_users() when empty). Throws std::runtime_error on failure.
void build_pyautomation_sqlite(const std::filesystem::path& file,
                               const std::vector<LegacyUser>& users = {},
                               LegacyLayout layout = LegacyLayout::kPeewee);

// Runs one SQL statement on `file` with the raw C API; returns the first column of the
// first row as text ("" when none / NULL). Throws std::runtime_error on failure.
std::string sqlite_scalar(const std::filesystem::path& file, const std::string& sql);

}  // namespace automation::storage::contract
