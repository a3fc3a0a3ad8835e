#pragma once
// PLACEHOLDER (helper B's interface as specified); replaced by branch oidc-store at merge.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "automation/core/model.hpp"
namespace automation {
struct OidcClient {
  std::string client_id;
  std::string name;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  bool is_public = false;
  bool client_credentials = false;
  std::string secret_digest;
  UnixSeconds created_at = 0;
  std::string created_by;
};
struct OidcCode {
  std::string code_digest;  std::string client_id;  std::string redirect_uri;
  std::string session_digest;
  std::int64_t user_id = 0;     std::string scope;  std::string nonce;
  std::string code_challenge;
  UnixSeconds auth_time = 0;    std::string amr;
  UnixSeconds expires_at = 0;
};
struct OidcRefreshToken {
  std::string token_digest;  std::string family_id;  std::string client_id;
  std::string session_digest;
  std::int64_t user_id = 0;     std::string scope;  UnixSeconds auth_time = 0;  std::string amr;
  UnixSeconds created_at = 0;   UnixSeconds expires_at = 0;  bool used = false;
};
enum class RefreshOutcome { kRedeemed, kReused, kExpired, kUnknown };
struct RefreshRedemption { RefreshOutcome outcome; std::optional<OidcRefreshToken> token; };
}  // namespace automation
