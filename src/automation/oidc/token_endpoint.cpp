#include "automation/oidc/token_endpoint.hpp"

#include "automation/core/policy.hpp"
#include "automation/oidc/oauth_error.hpp"
#include "automation/oidc/pkce.hpp"

namespace automation::oidc {
namespace {

constexpr std::string_view kTokenEvent = "oidc_token";
constexpr std::string_view kRefreshReuseEvent = "oidc_refresh_reuse";

// The user of a grant, as stored now: gone, or now sudo, ends the grant.
Result<User> grant_user(UsersCore& core, std::int64_t user_id) {
  auto user = core.users().get_user_by_id(user_id);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) {
      return fail(oauth_error(kInvalidGrant, "The user of this grant no longer exists."));
    }
    return fail(user.error());
  }
  if (policy::is_sudo_role(user->role.name, user->role.level)) {
    return fail(oauth_error(kInvalidGrant, "This account may not sign in to applications."));
  }
  return user;
}

}  // namespace

Result<nlohmann::json> TokenEndpoint::exchange(const TokenRequest& request) {
  const std::string_view grant_type = request.grant_type;
  const auto audited = [&](std::string_view actor, std::string_view target,
                           Result<nlohmann::json> result) {
    if (!result) {
      const Error& error = result.error();
      const char* outcome = error.code == ErrorCode::kThrottled ? "throttled" : "denied";
      if (error.code != ErrorCode::kUnavailable && error.code != ErrorCode::kInternal) {
        (void)context_.core.audit().record(kTokenEvent, actor, target, request.address, outcome,
                                           oauth_error_type(error) + " (" + std::string(grant_type) + ")");
      }
    }
    return result;
  };
  if (grant_type.empty()) {
    return audited("", request.client_id, fail(oauth_error(kInvalidRequest, "grant_type is missing.")));
  }
  if (request.client_id.empty()) {
    return audited("", "", fail(oauth_error(kInvalidClient, "Client authentication failed.")));
  }
  std::optional<std::string_view> secret;
  if (request.client_secret) secret = *request.client_secret;
  auto client = context_.clients.authenticate_client(request.client_id, secret, request.address);
  if (!client) {
    // The registry audits its own refusals (wrong secrets are counted there).
    Error error = std::move(client.error());
    if (error.code == ErrorCode::kUnauthenticated) {
      return fail(oauth_error(kInvalidClient, "Client authentication failed."));
    }
    if (error.type.empty()) error.type = std::string(kInvalidClient);
    return fail(std::move(error));
  }
  if (grant_type == "authorization_code") {
    return audited("", client->name, authorization_code(*client, request));
  }
  if (grant_type == "refresh_token") return audited("", client->name, refresh(*client, request));
  if (grant_type == "client_credentials") {
    return audited(client->name, client->name, client_credentials(*client, request));
  }
  return audited("", client->name,
                 fail(oauth_error(kUnsupportedGrantType, "This grant_type is not supported.")));
}

Result<nlohmann::json> TokenEndpoint::authorization_code(const OidcClient& client,
                                                         const TokenRequest& request) {
  if (request.code.empty()) return fail(oauth_error(kInvalidRequest, "code is missing."));
  const UnixSeconds now = context_.core.clock().now();
  // Redeemed first: whatever follows, this code has been used (RFC 6749 §4.1.2).
  auto code = context_.store.redeem_code(context_.digester.digest(request.code), now);
  if (!code) return fail(code.error());
  if (!*code) return fail(oauth_error(kInvalidGrant, "The code is unknown, used or expired."));
  const OidcCode& granted = **code;
  if (granted.client_id != client.client_id) {
    return fail(oauth_error(kInvalidGrant, "The code was issued to another client."));
  }
  if (granted.redirect_uri != request.redirect_uri) {
    return fail(oauth_error(kInvalidGrant, "redirect_uri differs from the authorization request's."));
  }
  if (!verifier_matches(request.code_verifier, granted.code_challenge)) {
    return fail(oauth_error(kInvalidGrant, "The code_verifier does not match the code_challenge."));
  }
  auto made = live_grant(client, granted.user_id, granted.session_digest,
                         Scopes::parse(granted.scope), granted.auth_time, granted.amr);
  if (!made) return fail(made.error());
  Grant& grant = *made;
  grant.nonce = granted.nonce;
  if (grant.scopes.offline_access) grant.family_id = context_.random.random_hex(16);
  auto answer = user_tokens(grant);
  if (!answer) return fail(answer.error());
  if (grant.scopes.offline_access) {
    const std::string token = issuer_.new_refresh_token();
    const auto record = refresh_record(token, client, grant, granted.session_digest,
                                       context_.core.clock().now());
    if (auto added = context_.store.add_refresh_token(record); !added) {
      if (added.error().code == ErrorCode::kNotFound) {
        return fail(oauth_error(kInvalidGrant, "The sign-in session has ended."));
      }
      return fail(added.error());
    }
    (*answer)["refresh_token"] = token;
  }
  (void)context_.core.audit().record(kTokenEvent, grant.user->username, client.name,
                                     request.address, "success", "authorization_code");
  return answer;
}

Result<nlohmann::json> TokenEndpoint::refresh(const OidcClient& client,
                                              const TokenRequest& request) {
  if (request.refresh_token.empty()) {
    return fail(oauth_error(kInvalidRequest, "refresh_token is missing."));
  }
  const auto unknown = [] {
    return fail(oauth_error(kInvalidGrant, "The refresh token is unknown, revoked or expired."));
  };
  const std::string digest = context_.digester.digest(request.refresh_token);
  // Another client's token is refused without touching it.
  auto existing = context_.store.find_refresh_token(digest);
  if (!existing) return fail(existing.error());
  if (!*existing || (*existing)->client_id != client.client_id) return unknown();
  const OidcRefreshToken& old = **existing;
  const Scopes granted_scopes = Scopes::parse(old.scope);
  Scopes scopes = granted_scopes;
  if (request.scope) {
    scopes = Scopes::parse(*request.scope);
    if (!granted_scopes.covers(scopes) || !scopes.openid) {
      return fail(oauth_error(kInvalidScope, "A refresh may narrow the scope, never widen it."));
    }
  }
  scopes.offline_access = true;  // the family goes on
  auto made = live_grant(client, old.user_id, old.session_digest, scopes, old.auth_time, old.amr);
  if (!made) return fail(made.error());
  Grant& grant = *made;
  grant.family_id = old.family_id;
  // The successor is stored in the transaction that uses the presented token up, so a reuse
  // racing this rotation ends the successor too.
  const UnixSeconds now = context_.core.clock().now();
  const std::string successor = issuer_.new_refresh_token();
  auto rotated = context_.store.rotate_refresh_token(
      digest, now, refresh_record(successor, client, grant, old.session_digest, now));
  if (!rotated) {
    if (rotated.error().code == ErrorCode::kNotFound) {
      return fail(oauth_error(kInvalidGrant, "The sign-in session has ended."));
    }
    return fail(rotated.error());
  }
  if (rotated->outcome == RefreshOutcome::kReused) {
    // A used token again: someone holds a copy. Its whole family has just ended.
    (void)context_.core.audit().record(kRefreshReuseEvent, grant.user->username, client.name,
                                       request.address, "denied", "refresh token reused");
    return unknown();
  }
  if (rotated->outcome != RefreshOutcome::kRedeemed) return unknown();
  auto answer = user_tokens(grant);
  if (!answer) return fail(answer.error());
  (*answer)["refresh_token"] = successor;
  (void)context_.core.audit().record(kTokenEvent, grant.user->username, client.name,
                                     request.address, "success", "refresh_token");
  return answer;
}

Result<nlohmann::json> TokenEndpoint::client_credentials(const OidcClient& client,
                                                         const TokenRequest& request) {
  if (!client.client_credentials || client.is_public) {
    return fail(oauth_error(kUnauthorizedClient,
                            "This client is not registered for client_credentials."));
  }
  Grant grant;
  grant.client_id = client.client_id;
  // A machine client has no user: no OpenID scopes about one, no ID token, no refresh.
  grant.scopes = Scopes{};
  const UnixSeconds now = context_.core.clock().now();
  auto access = issuer_.access_token(grant, now);
  if (!access) return fail(access.error());
  (void)context_.core.audit().record(kTokenEvent, client.name, client.name, request.address,
                                     "success", "client_credentials");
  return nlohmann::json{{"access_token", *access},
                        {"token_type", "Bearer"},
                        {"expires_in", context_.settings.access_token_seconds}};
}

Result<Grant> TokenEndpoint::live_grant(const OidcClient& client, std::int64_t user_id,
                                        const std::string& session_digest, const Scopes& scopes,
                                        UnixSeconds auth_time, const std::string& amr) {
  auto user = grant_user(context_.core, user_id);
  if (!user) return fail(user.error());
  // The browser session must still be live (its end deletes codes and refresh tokens too;
  // this also catches a session past its lifetime, or idle, that nothing has deleted yet).
  auto session = context_.core.sessions().resolve_digest(session_digest);
  if (!session) return fail(oauth_error(kInvalidGrant, "The sign-in session has ended."));
  Grant grant;
  grant.client_id = client.client_id;
  grant.user = std::move(*user);
  grant.session_id = session->session.id;
  grant.scopes = scopes;
  grant.auth_time = auth_time;
  grant.amr = amr;
  grant.id_token_alg = client.id_token_alg;
  return grant;
}

Result<nlohmann::json> TokenEndpoint::user_tokens(const Grant& grant) {
  const UnixSeconds now = context_.core.clock().now();
  auto access = issuer_.access_token(grant, now);
  if (!access) return fail(access.error());
  auto id = issuer_.id_token(grant, now);
  if (!id) return fail(id.error());
  return nlohmann::json{{"access_token", *access},
                        {"token_type", "Bearer"},
                        {"expires_in", context_.settings.access_token_seconds},
                        {"id_token", *id},
                        {"scope", grant.scopes.text()}};
}

OidcRefreshToken TokenEndpoint::refresh_record(const std::string& token, const OidcClient& client,
                                               const Grant& grant,
                                               const std::string& session_digest,
                                               UnixSeconds now) const {
  OidcRefreshToken record;
  record.token_digest = context_.digester.digest(token);
  record.family_id = grant.family_id;  // a rotation keeps the old family's (the store sees to it)
  record.client_id = client.client_id;
  record.session_digest = session_digest;
  record.user_id = grant.user->id;
  record.scope = grant.scopes.text();
  record.auth_time = grant.auth_time;
  record.amr = grant.amr;
  record.created_at = now;
  record.expires_at = now + context_.settings.refresh_token_seconds;
  return record;
}

}  // namespace automation::oidc
