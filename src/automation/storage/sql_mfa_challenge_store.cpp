#include "automation/storage/sql_mfa_challenge_store.hpp"

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

Status SqlMfaChallengeStore::add_challenge(const MfaChallenge& challenge) {
  if (auto ok = check_storable("token_digest", challenge.token_digest); !ok) return ok;
  // Like a session's: an address is at most 45 characters; anything else is not kept, and then
  // no request can complete the challenge (it matches no address).
  const std::string address = challenge.client_address.size() <= 64 &&
                                      is_storable_text(challenge.client_address)
                                  ? challenge.client_address
                                  : std::string("?");
  const long long created_at = challenge.created_at;
  const long long expires_at = challenge.expires_at;
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    sql << "DELETE FROM mfa_challenges WHERE expires_at <= :now", soci::use(created_at);
    sql << "INSERT INTO mfa_challenges (token_digest, user_id, client_address, created_at,"
           " expires_at) VALUES (:digest, :user_id, :address, :created_at, :expires_at)",
        soci::use(challenge.token_digest), soci::use(challenge.user_id), soci::use(address),
        soci::use(created_at), soci::use(expires_at);
    return {};
  });
}

Result<std::optional<MfaChallenge>> SqlMfaChallengeStore::find_challenge(
    std::string_view token_digest) {
  if (!is_storable_text(token_digest)) return std::optional<MfaChallenge>();
  const std::string digest(token_digest);
  return db_.with_session([&](soci::session& sql) -> Result<std::optional<MfaChallenge>> {
    MfaChallenge challenge;
    long long user_id = 0, created_at = 0, expires_at = 0;
    soci::indicator found = soci::i_null;
    sql << "SELECT user_id, client_address, created_at, expires_at FROM mfa_challenges"
           " WHERE token_digest = :digest",
        soci::use(digest), soci::into(user_id, found), soci::into(challenge.client_address),
        soci::into(created_at), soci::into(expires_at);
    if (!sql.got_data() || found != soci::i_ok) return std::optional<MfaChallenge>();
    challenge.token_digest = digest;
    challenge.user_id = user_id;
    challenge.created_at = created_at;
    challenge.expires_at = expires_at;
    return std::optional<MfaChallenge>(std::move(challenge));
  });
}

Result<bool> SqlMfaChallengeStore::consume_challenge(std::string_view token_digest,
                                                     UnixSeconds now) {
  if (!is_storable_text(token_digest)) return false;
  const std::string digest(token_digest);
  const long long at = now;
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<bool> {
    soci::statement consume = (sql.prepare << "DELETE FROM mfa_challenges"
                                              " WHERE token_digest = :digest AND expires_at > :now",
                               soci::use(digest), soci::use(at));
    consume.execute(true);
    return consume.get_affected_rows() == 1;
  });
}

}  // namespace automation::storage
