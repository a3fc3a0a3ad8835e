#pragma once

#include <cstdint>

#include "automation/core/mfa_ports.hpp"
#include "automation/storage/soci_support.hpp"

namespace automation::storage {

class Database;

// MfaStore on the tables mfa_totp (one row per user: the sealed secret, whether it is
// confirmed, the last accepted time step) and mfa_recovery_codes (one row per unused code's
// digest), created by migration 15. Single use is decided by the database: advance_totp_step
// is one conditional UPDATE (last_step < :step) and use_recovery_code one DELETE, so of two
// transactions racing with the same code (any process) exactly one changes a row.
class SqlMfaStore final : public MfaStore {
 public:
  // db must outlive the store.
  explicit SqlMfaStore(Database& db) : db_(db) {}

  Result<std::optional<TotpRecord>> find_totp(std::int64_t user_id) override;
  Status put_pending_totp(std::int64_t user_id, std::string_view sealed_secret,
                          UnixSeconds now) override;
  Status confirm_totp(std::int64_t user_id, std::int64_t step, UnixSeconds now,
                      const std::vector<std::string>& recovery_digests,
                      std::string_view session_digest) override;
  Result<bool> advance_totp_step(std::int64_t user_id, std::int64_t step) override;
  Result<bool> use_recovery_code(std::int64_t user_id, std::string_view digest) override;
  Result<int> recovery_codes_left(std::int64_t user_id) override;
  Status replace_recovery_codes(std::int64_t user_id,
                                const std::vector<std::string>& digests) override;
  Result<bool> remove_mfa(std::int64_t user_id) override;

 private:
  Database& db_;
};

// Deletes the user's MFA records inside the caller's transaction (SqlUserStore, when a user
// is deleted or added: a new user must not inherit the records of a deleted one whose id the
// database reuses, where foreign keys did not cascade).
void forget_mfa_records(soci::session& sql, std::int64_t user_id);

}  // namespace automation::storage
