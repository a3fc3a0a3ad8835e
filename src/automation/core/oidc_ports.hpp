#pragma once

// The port of the OpenID Connect provider's records: registered clients, authorization codes
// and refresh tokens (storage/sql_oidc_store.hpp implements it). Kept apart from ports.hpp, as
// mfa_ports.hpp is, because only the provider needs it.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/core/oidc_model.hpp"

namespace automation {

// Every method is one transaction (or one step of a UnitOfWork). Codes and refresh tokens are
// bound to their client, their user and the browser session they were issued under: deleting
// any of these deletes them too, in the same transaction, by the database's foreign keys
// (logout, a password change that ends sessions, session termination, the concurrency limit,
// expiry housekeeping, user deletion, client removal), whichever process or node deletes it.
// A change of the user's role ends the user's refresh tokens (UserStore::set_user_role).
class OidcStore {
 public:
  virtual ~OidcStore() = default;

  // --- clients ---
  // kAlreadyExists (field "name" or "client_id") on a taken name (case-insensitive) or id;
  // kInvalidArgument for text no database can store or a redirect URI containing a line break.
  virtual Status add_client(const OidcClient& client) = 0;
  virtual Result<std::optional<OidcClient>> find_client(std::string_view client_id) = 0;
  // Case-insensitive.
  virtual Result<std::optional<OidcClient>> find_client_by_name(std::string_view name) = 0;
  // Every client, by name (case-insensitive order).
  virtual Result<std::vector<OidcClient>> list_clients() = 0;
  // kNotFound when no such client; its codes and refresh tokens go too.
  virtual Status remove_client(std::string_view client_id) = 0;

  // --- authorization codes ---
  // kNotFound when the client, the user or the session does not exist (any more).
  virtual Status add_code(const OidcCode& code) = 0;
  // Single use decided by the database: read and delete in one transaction; the deleted-row
  // count decides, so of racing redemptions (any process) exactly one gets the code.
  // nullopt: unknown, already redeemed, or expired at `now` (expires_at <= now; an expired
  // one is deleted too).
  virtual Result<std::optional<OidcCode>> redeem_code(std::string_view code_digest,
                                                      UnixSeconds now) = 0;

  // --- refresh tokens ---
  // kNotFound when the client, the user or the session does not exist (any more).
  virtual Status add_refresh_token(const OidcRefreshToken& token) = 0;
  // One transaction: unknown -> kUnknown; already used -> the WHOLE family is deleted,
  // kReused (with the token); expired at `now` (expires_at <= now) -> deleted, kExpired (with
  // the token); else marked used by a conditional UPDATE ... WHERE used = 0 whose row count
  // decides (two racing redemptions give one kRedeemed and one kReused) -> kRedeemed with the
  // record.
  virtual Result<RefreshRedemption> redeem_refresh_token(std::string_view token_digest,
                                                         UnixSeconds now) = 0;
  // redeem_refresh_token and, when it answers kRedeemed, the insertion of `successor` (its
  // family_id is set to the redeemed token's) in the same transaction. Prefer this for the
  // refresh_token grant: a racing reuse that loses deletes the family after this commits, so
  // the successor goes with it (with redeem then add, it could be added after the family was
  // deleted and survive). A successor that cannot be stored (kNotFound: the session ended
  // meanwhile) fails the whole call and leaves the presented token unused.
  virtual Result<RefreshRedemption> rotate_refresh_token(std::string_view token_digest,
                                                         UnixSeconds now,
                                                         const OidcRefreshToken& successor) = 0;
  // The record (used or not, expired or not), for introspection and revocation.
  virtual Result<std::optional<OidcRefreshToken>> find_refresh_token(
      std::string_view token_digest) = 0;
  // RFC 7009 revocation: deletes every token of the family (none: success).
  virtual Status revoke_refresh_family(std::string_view family_id) = 0;
  // Whether any token of the family is still stored (used ones included): the access tokens
  // of a grant with refresh tokens live only as long as their family.
  virtual Result<bool> refresh_family_exists(std::string_view family_id) = 0;
  virtual Status delete_user_refresh_tokens(std::int64_t user_id) = 0;
  // Housekeeping: deletes the codes and refresh tokens (used or not) with expires_at <= now,
  // and the revoked access tokens' records that have expired too.
  virtual Status delete_expired_oidc_grants(UnixSeconds now) = 0;
  // RFC 7009 for a signed access token: its jti is refused until `expires_at` (revoking one
  // twice is no error).
  virtual Status revoke_access_token(std::string_view jti, UnixSeconds expires_at) = 0;
  virtual Result<bool> access_token_revoked(std::string_view jti) = 0;
};

}  // namespace automation
