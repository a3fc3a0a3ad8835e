#pragma once

#include <string>

#include "automation/core/ports.hpp"
#include "automation/storage/soci_support.hpp"

namespace automation::storage {

class Database;

// PasswordStore on the service's tables password_state (when each user's password was set,
// and whether its owner must change it) and password_history (hashes of previous
// passwords), both created by migration 8; PyAutomation's users table only gets its
// password column updated, as before.
class SqlPasswordStore final : public PasswordStore {
 public:
  // db must outlive the store.
  explicit SqlPasswordStore(Database& db) : db_(db) {}

  // Without a record (users that existed before migration 8, or were created by another
  // program): set_at is the time migration 8 ran.
  Result<PasswordState> password_state(std::int64_t user_id) override;
  Result<std::vector<std::string>> previous_password_hashes(std::int64_t user_id,
                                                            int limit) override;
  // One transaction: the new hash, the old one into the history (trimmed to
  // history_depth), the state, the other sessions ended and the kept one's demand lifted.
  Status replace_password(std::int64_t user_id, const PasswordUpdate& update) override;

 private:
  Database& db_;
};

// Statements shared with SqlUserStore, run inside the caller's transaction.

// Sets users.password and ends the sessions the revocation names; kNotFound for an
// unknown user.
Status write_password_hash(soci::session& sql, std::int64_t user_id, const std::string& hash,
                           const SessionRevocation& revocation);
// Replaces the user's password_state row.
void write_password_state(soci::session& sql, std::int64_t user_id, UnixSeconds set_at,
                          bool must_change);
// Deletes the user's password_state, password_history and directory_accounts rows (a new
// user must not inherit the records of a deleted one whose id the database reuses).
void forget_password_records(soci::session& sql, std::int64_t user_id);

}  // namespace automation::storage
