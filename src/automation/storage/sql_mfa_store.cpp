#include "automation/storage/sql_mfa_store.hpp"

#include "automation/storage/database.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

namespace {

// Executes a prepared write and returns how many rows it changed.
long long changed_rows(soci::statement& st) {
  st.execute(true);
  return st.get_affected_rows();
}

void write_recovery_codes(soci::session& sql, std::int64_t user_id,
                          const std::vector<std::string>& digests) {
  sql << "DELETE FROM mfa_recovery_codes WHERE user_id = :id", soci::use(user_id);
  for (const std::string& digest : digests) {
    sql << "INSERT INTO mfa_recovery_codes (user_id, code_digest) VALUES (:id, :digest)",
        soci::use(user_id), soci::use(digest);
  }
}

Status check_digests(const std::vector<std::string>& digests) {
  for (const std::string& digest : digests) {
    if (auto ok = check_storable("code_digest", digest); !ok) return ok;
  }
  return {};
}

}  // namespace

void forget_mfa_records(soci::session& sql, std::int64_t user_id) {
  sql << "DELETE FROM mfa_recovery_codes WHERE user_id = :id", soci::use(user_id);
  sql << "DELETE FROM mfa_totp WHERE user_id = :id", soci::use(user_id);
  sql << "DELETE FROM mfa_challenges WHERE user_id = :id", soci::use(user_id);
}

Result<std::optional<TotpRecord>> SqlMfaStore::find_totp(std::int64_t user_id) {
  return db_.with_session([user_id](soci::session& sql) -> Result<std::optional<TotpRecord>> {
    TotpRecord record;
    int confirmed = 0;
    long long created_at = 0, confirmed_at = 0, last_step = 0;
    soci::indicator found = soci::i_null;
    sql << "SELECT sealed_secret, confirmed, created_at, confirmed_at, last_step"
           " FROM mfa_totp WHERE user_id = :id",
        soci::use(user_id), soci::into(record.sealed_secret, found), soci::into(confirmed),
        soci::into(created_at), soci::into(confirmed_at), soci::into(last_step);
    if (!sql.got_data() || found != soci::i_ok) return std::optional<TotpRecord>();
    record.confirmed = confirmed != 0;
    record.created_at = created_at;
    record.confirmed_at = confirmed_at;
    record.last_step = last_step;
    return std::optional<TotpRecord>(std::move(record));
  });
}

Status SqlMfaStore::put_pending_totp(std::int64_t user_id, std::string_view sealed_secret,
                                     UnixSeconds now) {
  if (auto ok = check_storable("sealed_secret", sealed_secret); !ok) return ok;
  const std::string sealed(sealed_secret);
  const long long at = now;
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    int confirmed = 0;
    sql << "SELECT COUNT(*) FROM mfa_totp WHERE user_id = :id AND confirmed <> 0",
        soci::use(user_id), soci::into(confirmed);
    if (confirmed != 0) return fail(ErrorCode::kAlreadyExists, "MFA is already enabled");
    // Delete and insert: portable where upsert syntax differs. The primary key on user_id
    // makes a racing enrollment of the same user fail rather than leave two rows.
    sql << "DELETE FROM mfa_totp WHERE user_id = :id", soci::use(user_id);
    sql << "INSERT INTO mfa_totp (user_id, sealed_secret, confirmed, created_at, confirmed_at,"
           " last_step) VALUES (:id, :sealed, 0, :at, 0, 0)",
        soci::use(user_id), soci::use(sealed), soci::use(at);
    return {};
  });
}

Status SqlMfaStore::confirm_totp(std::int64_t user_id, std::int64_t step, UnixSeconds now,
                                 const std::vector<std::string>& recovery_digests,
                                 std::string_view session_digest) {
  if (auto ok = check_digests(recovery_digests); !ok) return ok;
  if (auto ok = check_storable("session_digest", session_digest); !ok) return ok;
  const long long at = now;
  const long long last_step = step;
  const std::string session(session_digest);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    soci::statement confirm =
        (sql.prepare << "UPDATE mfa_totp SET confirmed = 1, confirmed_at = :at,"
                        " last_step = :step WHERE user_id = :id AND confirmed = 0",
         soci::use(at), soci::use(last_step), soci::use(user_id));
    if (changed_rows(confirm) == 0) {
      return fail(ErrorCode::kNotFound, "No enrollment waits for confirmation");
    }
    write_recovery_codes(sql, user_id, recovery_digests);
    if (!session.empty()) {
      // A logged column of the change feed: every cache drops its copy of the session.
      sql << "UPDATE sessions SET mfa_verified = 1 WHERE token_digest = :digest AND"
             " user_id = :id",
          soci::use(session), soci::use(user_id);
    }
    return {};
  });
}

Result<bool> SqlMfaStore::advance_totp_step(std::int64_t user_id, std::int64_t step) {
  const long long wanted = step;
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<bool> {
    soci::statement advance =
        (sql.prepare << "UPDATE mfa_totp SET last_step = :step"
                        " WHERE user_id = :id AND confirmed <> 0 AND last_step < :step2",
         soci::use(wanted), soci::use(user_id), soci::use(wanted));
    return changed_rows(advance) == 1;
  });
}

Result<bool> SqlMfaStore::use_recovery_code(std::int64_t user_id, std::string_view digest) {
  if (!is_storable_text(digest)) return false;
  const std::string wanted(digest);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<bool> {
    soci::statement use = (sql.prepare << "DELETE FROM mfa_recovery_codes"
                                          " WHERE user_id = :id AND code_digest = :digest",
                           soci::use(user_id), soci::use(wanted));
    return changed_rows(use) == 1;
  });
}

Result<int> SqlMfaStore::recovery_codes_left(std::int64_t user_id) {
  return db_.with_session([user_id](soci::session& sql) -> Result<int> {
    int left = 0;
    sql << "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = :id", soci::use(user_id),
        soci::into(left);
    return left;
  });
}

Status SqlMfaStore::replace_recovery_codes(std::int64_t user_id,
                                           const std::vector<std::string>& digests) {
  if (auto ok = check_digests(digests); !ok) return ok;
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    write_recovery_codes(sql, user_id, digests);
    return {};
  });
}

Result<bool> SqlMfaStore::remove_mfa(std::int64_t user_id) {
  return db_.transaction(TxMode::kWrite, [user_id](soci::session& sql) -> Result<bool> {
    int confirmed = 0;
    sql << "SELECT COUNT(*) FROM mfa_totp WHERE user_id = :id AND confirmed <> 0",
        soci::use(user_id), soci::into(confirmed);
    sql << "DELETE FROM mfa_recovery_codes WHERE user_id = :id", soci::use(user_id);
    sql << "DELETE FROM mfa_totp WHERE user_id = :id", soci::use(user_id);
    return confirmed != 0;
  });
}

}  // namespace automation::storage
