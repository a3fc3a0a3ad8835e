#include "automation/oidc/scopes.hpp"

namespace automation::oidc {

Scopes Scopes::parse(std::string_view text) {
  Scopes scopes;
  while (!text.empty()) {
    const auto space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    if (word == "openid") scopes.openid = true;
    if (word == "profile") scopes.profile = true;
    if (word == "email") scopes.email = true;
    if (word == "roles") scopes.roles = true;
    if (word == "offline_access") scopes.offline_access = true;
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return scopes;
}

std::string Scopes::text() const {
  std::string out;
  const auto add = [&out](bool present, std::string_view name) {
    if (!present) return;
    if (!out.empty()) out += ' ';
    out += name;
  };
  add(openid, "openid");
  add(profile, "profile");
  add(email, "email");
  add(roles, "roles");
  add(offline_access, "offline_access");
  return out;
}

bool Scopes::covers(const Scopes& other) const {
  return (openid || !other.openid) && (profile || !other.profile) && (email || !other.email) &&
         (roles || !other.roles) && (offline_access || !other.offline_access);
}

}  // namespace automation::oidc
