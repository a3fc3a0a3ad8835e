#pragma once
// PLACEHOLDER (helper B's interface as specified); replaced by branch oidc-store at merge.
#include <string_view>
#include "automation/core/error.hpp"
#include "automation/core/oidc_model.hpp"
namespace automation {
class OidcStore {
 public:
  virtual ~OidcStore() = default;
  virtual Status add_client(const OidcClient& client) = 0;
  virtual Result<std::optional<OidcClient>> find_client(std::string_view client_id) = 0;
  virtual Result<std::vector<OidcClient>> list_clients() = 0;
  virtual Status remove_client(std::string_view client_id) = 0;
  virtual Status add_code(const OidcCode& code) = 0;
  virtual Result<std::optional<OidcCode>> redeem_code(std::string_view code_digest, UnixSeconds now) = 0;
  virtual Status add_refresh_token(const OidcRefreshToken& token) = 0;
  virtual Result<RefreshRedemption> redeem_refresh_token(std::string_view token_digest, UnixSeconds now) = 0;
  virtual Result<std::optional<OidcRefreshToken>> find_refresh_token(std::string_view token_digest) = 0;
  virtual Status revoke_refresh_family(std::string_view family_id) = 0;
  virtual Status delete_user_refresh_tokens(std::int64_t user_id) = 0;
  virtual Status delete_expired_oidc_grants(UnixSeconds now) = 0;
  virtual Status revoke_access_token(std::string_view jti, UnixSeconds expires_at) = 0;
  virtual Result<bool> access_token_revoked(std::string_view jti) = 0;
};
}  // namespace automation
