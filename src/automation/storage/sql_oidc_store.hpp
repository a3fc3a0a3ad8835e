#pragma once

#include "automation/core/oidc_ports.hpp"

namespace automation::storage {

class Database;

// OidcStore on the tables oidc_clients, oidc_codes and oidc_refresh_tokens (migrations 19-21).
// Single use is decided by the database: a code's redemption is a DELETE, a refresh token's an
// UPDATE ... WHERE used = 0, and the affected-row count says who won, however many threads,
// pools or nodes try at once. Codes and refresh tokens reference their client, user and session
// with ON DELETE CASCADE, so they end with any of them.
class SqlOidcStore final : public OidcStore {
 public:
  // db must outlive the store.
  explicit SqlOidcStore(Database& db) : db_(db) {}

  Status add_client(const OidcClient& client) override;
  Result<std::optional<OidcClient>> find_client(std::string_view client_id) override;
  Result<std::optional<OidcClient>> find_client_by_name(std::string_view name) override;
  Result<std::vector<OidcClient>> list_clients() override;
  Status remove_client(std::string_view client_id) override;

  Status add_code(const OidcCode& code) override;
  Result<std::optional<OidcCode>> redeem_code(std::string_view code_digest,
                                              UnixSeconds now) override;

  Status add_refresh_token(const OidcRefreshToken& token) override;
  Result<RefreshRedemption> redeem_refresh_token(std::string_view token_digest,
                                                 UnixSeconds now) override;
  Result<RefreshRedemption> rotate_refresh_token(std::string_view token_digest, UnixSeconds now,
                                                 const OidcRefreshToken& successor) override;
  Result<std::optional<OidcRefreshToken>> find_refresh_token(
      std::string_view token_digest) override;
  Status revoke_refresh_family(std::string_view family_id) override;
  Status delete_user_refresh_tokens(std::int64_t user_id) override;
  Status delete_expired_oidc_grants(UnixSeconds now) override;
  Result<bool> refresh_family_exists(std::string_view family_id) override;
  Status revoke_access_token(std::string_view jti, UnixSeconds expires_at) override;
  Result<bool> access_token_revoked(std::string_view jti) override;

 private:
  Result<RefreshRedemption> redeem(std::string_view token_digest, UnixSeconds now,
                                   const OidcRefreshToken* successor);

  Database& db_;
};

}  // namespace automation::storage
