#pragma once

// What every part of the OpenID Connect provider shares: its settings and the ports it works
// through. The protocol lives in this library (src/automation/oidc): it knows JSON claims and
// OAuth's rules, never HTTP or SQL (the http layer parses and renders; the stores hide SQL).

#include <cstdint>
#include <string>

#include "automation/core/oidc_clients.hpp"
#include "automation/core/oidc_ports.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/users_core.hpp"
#include "automation/oidc/oidc_keys.hpp"

namespace automation::oidc {

struct OidcProviderSettings {
  std::string issuer;  // AUTOMATION_OIDC_ISSUER: the base URL clients use, no trailing '/'
  std::int64_t id_token_seconds = 300;
  std::int64_t access_token_seconds = 300;
  std::int64_t refresh_token_seconds = 28800;
  std::int64_t code_seconds = 60;
};

struct OidcContext {
  UsersCore& core;  // users, sessions, audit trail, clock, settings
  SessionStore& sessions;  // a session by its public id (the tokens' sid)
  OidcStore& store;
  OidcClientRegistry& clients;
  OidcKeys& keys;
  RandomSource& random;
  TokenDigester& digester;
  OidcProviderSettings settings;
};

}  // namespace automation::oidc
