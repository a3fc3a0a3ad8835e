#include "automation/oidc/token_checks.hpp"

#include "automation/core/policy.hpp"
#include "automation/oidc/oauth_error.hpp"
#include "automation/oidc/scopes.hpp"
#include "automation/oidc/token_issuer.hpp"

namespace automation::oidc {
namespace {

constexpr std::string_view kUserinfoEvent = "oidc_userinfo";
constexpr std::string_view kIntrospectEvent = "oidc_introspect";
constexpr std::string_view kRevokeEvent = "oidc_revoke";

Error not_live() { return oauth_error(kInvalidToken, "The access token is invalid or expired."); }

std::string string_claim(const nlohmann::json& claims, const char* name) {
  const auto found = claims.find(name);
  return found != claims.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::int64_t number_claim(const nlohmann::json& claims, const char* name) {
  const auto found = claims.find(name);
  return found != claims.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
}

}  // namespace

Result<TokenChecks::LiveAccess> TokenChecks::live_access_token(std::string_view token) {
  auto claims = context_.keys.verify(token);
  if (!claims) return fail(not_live());
  // Only access tokens carry client_id and scope (RFC 9068 §2.2); an ID token never does.
  const std::string client_id = string_claim(*claims, "client_id");
  if (client_id.empty() || !claims->contains("scope") ||
      string_claim(*claims, "iss") != context_.settings.issuer) {
    return fail(not_live());
  }
  const UnixSeconds now = context_.core.clock().now();
  if (number_claim(*claims, "exp") <= now) return fail(not_live());
  auto revoked = context_.store.access_token_revoked(string_claim(*claims, "jti"));
  if (!revoked) return fail(revoked.error());
  if (*revoked) return fail(not_live());
  // A grant with refresh tokens: its access tokens end with the family (revoked, or ended by
  // a reused refresh token).
  if (const std::string family = string_claim(*claims, "fid"); !family.empty()) {
    auto alive = context_.store.refresh_family_exists(family);
    if (!alive) return fail(alive.error());
    if (!*alive) return fail(not_live());
  }
  LiveAccess live;
  const std::string sid = string_claim(*claims, "sid");
  if (sid.empty()) {
    // A client's own token (client_credentials): the client must still hold the grant.
    auto client = context_.store.find_client(client_id);
    if (!client) return fail(client.error());
    if (!*client || !(*client)->client_credentials || string_claim(*claims, "sub") != client_id) {
      return fail(not_live());
    }
  } else {
    auto session = context_.sessions.find_session_by_id(sid);
    if (!session) return fail(session.error());
    if (!*session) return fail(not_live());
    auto active = context_.core.sessions().resolve_digest((*session)->token_digest);
    if (!active) {
      if (active.error().code == ErrorCode::kUnauthenticated) return fail(not_live());
      return fail(active.error());
    }
    const User& user = active->user;
    if (user.identifier != string_claim(*claims, "sub") ||
        policy::is_sudo_role(user.role.name, user.role.level)) {
      return fail(not_live());
    }
    live.user = user;
  }
  live.claims = std::move(*claims);
  return live;
}

Result<nlohmann::json> TokenChecks::userinfo(std::string_view access_token,
                                             std::string_view address) {
  auto live = live_access_token(access_token);
  if (live && !live->user) live = fail(not_live());  // a client has no user to describe
  if (!live) {
    if (live.error().type == kInvalidToken) {
      (void)context_.core.audit().record(kUserinfoEvent, "", "", address, "denied",
                                         "invalid_token");
    }
    return fail(live.error());
  }
  const Scopes scopes = Scopes::parse(string_claim(live->claims, "scope"));
  return TokenIssuer::user_claims(*live->user, scopes);
}

Result<nlohmann::json> TokenChecks::introspect(std::string_view client_id,
                                               std::optional<std::string_view> secret,
                                               std::string_view token,
                                               std::string_view address) {
  auto client = context_.clients.authenticate_client(client_id, secret, address);
  if (!client) {
    if (client.error().code == ErrorCode::kUnauthenticated) {
      return fail(oauth_error(kInvalidClient, "Client authentication failed."));
    }
    return fail(client.error());
  }
  if (client->is_public) {
    (void)context_.core.audit().record(kIntrospectEvent, client->name, "", address, "denied",
                                       "public client");
    return fail(oauth_error(kUnauthorizedClient, "A public client may not introspect tokens."));
  }
  const nlohmann::json inactive = {{"active", false}};
  if (token.empty()) return inactive;
  // A refresh token (opaque) or an access token (a JWT).
  if (token.find('.') == std::string_view::npos) {
    auto found = context_.store.find_refresh_token(context_.digester.digest(token));
    if (!found) return fail(found.error());
    const UnixSeconds now = context_.core.clock().now();
    if (!*found || (*found)->used || (*found)->expires_at <= now) return inactive;
    const OidcRefreshToken& refresh = **found;
    auto session = context_.core.sessions().resolve_digest(refresh.session_digest);
    if (!session) return inactive;
    return nlohmann::json{{"active", true},
                          {"token_type", "refresh_token"},
                          {"client_id", refresh.client_id},
                          {"scope", refresh.scope},
                          {"sub", session->user.identifier},
                          {"username", session->user.username},
                          {"exp", refresh.expires_at},
                          {"iat", refresh.created_at},
                          {"iss", context_.settings.issuer}};
  }
  auto live = live_access_token(token);
  if (!live) {
    if (live.error().type == kInvalidToken) return inactive;
    return fail(live.error());
  }
  nlohmann::json answer = {{"active", true},
                           {"token_type", "access_token"},
                           {"client_id", string_claim(live->claims, "client_id")},
                           {"scope", string_claim(live->claims, "scope")},
                           {"sub", string_claim(live->claims, "sub")},
                           {"exp", number_claim(live->claims, "exp")},
                           {"iat", number_claim(live->claims, "iat")},
                           {"iss", context_.settings.issuer},
                           {"aud", string_claim(live->claims, "aud")},
                           {"jti", string_claim(live->claims, "jti")}};
  if (live->user) {
    answer["username"] = live->user->username;
    answer["sid"] = string_claim(live->claims, "sid");
    answer["roles"] = nlohmann::json::array({live->user->role.name});
    answer["role_level"] = live->user->role.level;
  }
  return answer;
}

Status TokenChecks::revoke(std::string_view client_id, std::optional<std::string_view> secret,
                           std::string_view token, std::string_view address) {
  auto client = context_.clients.authenticate_client(client_id, secret, address);
  if (!client) {
    if (client.error().code == ErrorCode::kUnauthenticated) {
      return fail(oauth_error(kInvalidClient, "Client authentication failed."));
    }
    return fail(client.error());
  }
  if (token.empty()) return fail(oauth_error(kInvalidRequest, "token is missing."));
  if (token.find('.') != std::string_view::npos) return revoke_access_token(*client, token, address);
  auto found = context_.store.find_refresh_token(context_.digester.digest(token));
  if (!found) return fail(found.error());
  if (!*found || (*found)->client_id != client->client_id) return {};
  if (auto revoked = context_.store.revoke_refresh_family((*found)->family_id); !revoked) {
    return revoked;
  }
  std::string username;
  if (auto user = context_.core.users().get_user_by_id((*found)->user_id)) {
    username = user->username;
  }
  (void)context_.core.audit().record(kRevokeEvent, client->name, username, address, "success",
                                     "refresh token family");
  return {};
}

Status TokenChecks::revoke_access_token(const OidcClient& client, std::string_view token,
                                        std::string_view address) {
  // Only the client's own, live token is recorded: anything else needs no record (§2.2).
  auto claims = context_.keys.verify(token);
  if (!claims || string_claim(*claims, "client_id") != client.client_id ||
      string_claim(*claims, "jti").empty()) {
    return {};
  }
  const UnixSeconds expires_at = number_claim(*claims, "exp");
  if (expires_at <= context_.core.clock().now()) return {};
  if (auto revoked = context_.store.revoke_access_token(string_claim(*claims, "jti"), expires_at);
      !revoked) {
    return revoked;
  }
  (void)context_.core.audit().record(kRevokeEvent, client.name,
                                     string_claim(*claims, "preferred_username"), address,
                                     "success", "access token");
  return {};
}

}  // namespace automation::oidc
