#pragma once

// The OpenID Connect provider's protocol parts, over one shared context (issue 27; docs/oidc.md).

#include "automation/oidc/authorization.hpp"
#include "automation/oidc/provider_context.hpp"
#include "automation/oidc/rp_logout.hpp"
#include "automation/oidc/token_checks.hpp"
#include "automation/oidc/token_endpoint.hpp"

namespace automation::oidc {

class OidcProvider {
 public:
  explicit OidcProvider(OidcContext context)
      : context_(std::move(context)),
        authorization_(context_),
        tokens_(context_),
        checks_(context_),
        logout_(context_) {}
  OidcProvider(const OidcProvider&) = delete;
  OidcProvider& operator=(const OidcProvider&) = delete;

  const OidcProviderSettings& settings() const { return context_.settings; }
  OidcKeys& keys() { return context_.keys; }
  Authorization& authorization() { return authorization_; }
  TokenEndpoint& tokens() { return tokens_; }
  TokenChecks& checks() { return checks_; }
  RpLogout& logout() { return logout_; }

 private:
  OidcContext context_;
  Authorization authorization_;
  TokenEndpoint tokens_;
  TokenChecks checks_;
  RpLogout logout_;
};

}  // namespace automation::oidc
