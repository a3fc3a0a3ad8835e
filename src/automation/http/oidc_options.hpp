#pragma once

// What the OpenID Connect provider's routes need (docs/oidc.md): the signing keys and the
// settings clients see. Built once at start from AUTOMATION_OIDC_*; `keys` null means the
// provider is off, and then none of its routes exists (404).

#include <string>

namespace automation::oidc {
class OidcKeys;
}

namespace automation::http {

struct OidcOptions {
  // The signing keys (outlive the server); null: the provider is off.
  oidc::OidcKeys* keys = nullptr;
  // The issuer: the public base URL every endpoint is named under, no trailing slash.
  std::string issuer;
  unsigned id_token_seconds = 300;
  unsigned access_token_seconds = 300;
  unsigned refresh_token_seconds = 28800;
  unsigned code_seconds = 60;

  bool enabled() const { return keys != nullptr; }
};

}  // namespace automation::http
