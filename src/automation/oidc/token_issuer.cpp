#include "automation/oidc/token_issuer.hpp"

namespace automation::oidc {

nlohmann::json amr_claim(const std::string& amr) {
  nlohmann::json methods = nlohmann::json::array();
  std::string_view rest = amr;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    if (space != 0) methods.push_back(std::string(rest.substr(0, space)));
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  return methods;
}

nlohmann::json TokenIssuer::user_claims(const User& user, const Scopes& scopes) {
  nlohmann::json claims = nlohmann::json::object();
  claims["sub"] = user.identifier;
  if (scopes.profile) {
    claims["preferred_username"] = user.username;
    std::string name = user.name.value_or("");
    if (user.lastname && !user.lastname->empty()) {
      if (!name.empty()) name += ' ';
      name += *user.lastname;
    }
    if (!name.empty()) claims["name"] = name;
  }
  if (scopes.email && !user.email.empty()) claims["email"] = user.email;
  if (scopes.roles) {
    claims["roles"] = nlohmann::json::array({user.role.name});
    claims["role_level"] = user.role.level;
  }
  return claims;
}

Result<std::string> TokenIssuer::access_token(const Grant& grant, UnixSeconds now) const {
  nlohmann::json claims = nlohmann::json::object();
  if (grant.user) {
    claims = user_claims(*grant.user, grant.scopes);
    claims["sid"] = grant.session_id;
    claims["auth_time"] = grant.auth_time;
    if (!grant.family_id.empty()) claims["fid"] = grant.family_id;
  } else {
    claims["sub"] = grant.client_id;
  }
  claims["iss"] = context_.settings.issuer;
  claims["aud"] = grant.client_id;
  claims["client_id"] = grant.client_id;
  claims["scope"] = grant.scopes.text();
  claims["iat"] = now;
  claims["exp"] = now + context_.settings.access_token_seconds;
  claims["jti"] = context_.random.random_hex(16);
  return context_.keys.current()->sign(claims, "at+jwt");
}

Result<std::string> TokenIssuer::id_token(const Grant& grant, UnixSeconds now) const {
  if (!grant.user) return fail(ErrorCode::kInternal, "an ID token needs a user");
  nlohmann::json claims = user_claims(*grant.user, grant.scopes);
  claims["iss"] = context_.settings.issuer;
  claims["aud"] = grant.client_id;
  claims["iat"] = now;
  claims["exp"] = now + context_.settings.id_token_seconds;
  claims["auth_time"] = grant.auth_time;
  claims["amr"] = amr_claim(grant.amr);
  claims["sid"] = grant.session_id;
  if (!grant.nonce.empty()) claims["nonce"] = grant.nonce;
  return context_.keys.current()->sign(claims, "JWT", grant.id_token_alg);
}

}  // namespace automation::oidc
