#pragma once

// The OpenID Connect provider's registered clients (docs/oidc.md "Clients"): registration by
// the local administrator, listing, removal, and client authentication at the token,
// introspection and revocation endpoints.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/audit_log.hpp"
#include "automation/core/audited_change.hpp"
#include "automation/core/oidc_ports.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// What the administrator asks for (`automation oidc client add`).
struct OidcClientRegistration {
  std::string name;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  bool is_public = false;           // --public: no secret, PKCE required
  bool client_credentials = false;  // --grant client_credentials (confidential clients only)
  std::string id_token_alg = "RS256";  // --id-token-alg: RS256 or ES256
};

// A client just registered, with its secret in the clear: shown once, never again ("" for a
// public client).
struct RegisteredClient {
  OidcClient client;
  std::string secret;
};

// Error::type of a refused client authentication, for the protocol layer (OAuth's
// "invalid_client").
inline constexpr std::string_view kOidcInvalidClient = "invalid_client";

class OidcClientRegistry {
 public:
  struct Ports {
    OidcStore& store;
    ThrottleStore& throttle;
    AuditLog& audit;
    AuditedChanges& audited;
    RandomSource& random;
    TokenDigester& digester;
    Clock& clock;
  };
  // Client authentication is throttled with the login limits of `settings`: per (client,
  // address) login_max_failures, per client account_max_failures, per address
  // address_max_failures, within login_window_seconds.
  OidcClientRegistry(const Ports& ports, const CoreSettings& settings);

  // Registers a client, audited "oidc_client_add" (the client and its event stand or fall
  // together). kInvalidArgument (fields name the offender) when:
  // - name is not 1-64 characters of [A-Za-z0-9._-];
  // - a redirect or post-logout URI is not an absolute http:// or https:// URL with a host,
  //   without a fragment ('#') or user information ('@' before the host), of printable ASCII
  //   (no spaces), at most 2000 characters (http is allowed: plants run plain HTTP inside);
  // - no redirect URI is given and the client is not a client_credentials-only client;
  // - the client is both public and client_credentials (a public client holds no secret).
  // kAlreadyExists (field "name") when the name is taken in any case. Duplicate URIs are kept
  // once. client_id: 16 random bytes as 32 lowercase hex characters. Secret (confidential
  // clients): 32 random bytes as 64 lowercase hex characters, stored as its SHA-256 only.
  Result<RegisteredClient> register_client(const OidcClientRegistration& registration,
                                           std::string_view actor,
                                           std::string_view address = "cli");
  // Every client, by name; they hold secret digests, which no caller may show.
  Result<std::vector<OidcClient>> list_clients();
  // The client with this id (nullopt: none).
  Result<std::optional<OidcClient>> find_client(std::string_view client_id);
  // Removes the client named by its id or (case-insensitively) its name, with its codes and
  // refresh tokens; audited "oidc_client_remove". kNotFound when neither matches.
  Result<OidcClient> remove_client(std::string_view client_id_or_name, std::string_view actor,
                                   std::string_view address = "cli");

  // Authenticates a client at the token, introspection or revocation endpoint.
  // - A confidential client must present its secret (compared in constant time, as digests).
  // - A public client must present none (presenting one is refused).
  // - kUnauthenticated with one generic message and Error::type kOidcInvalidClient for an
  //   unknown client, a wrong or missing secret, or a secret from a public client.
  // - kThrottled (retry_after_seconds set) while the client's or the address's failures fill
  //   a limit: read before anything else, so a throttled client is refused even with the
  //   right secret.
  // Only a wrong secret and an unknown client_id count as failures (reserved in the
  // ThrottleStore, so racing failures cannot pass a limit). A right secret writes nothing: the
  // hot path reads the limits and the client, no more (secrets are 256 random bits; there is
  // nothing to reset). Refusals are audited "oidc_client_auth" (outcome failure or throttled;
  // repeats collapse as the AuditLog's RepeatedRefusals do).
  Result<OidcClient> authenticate_client(std::string_view client_id,
                                         std::optional<std::string_view> presented_secret,
                                         std::string_view client_address);

  // kInvalidArgument naming `field` unless uri is a redirect URI register_client accepts.
  static Status check_redirect_uri(std::string_view field, std::string_view uri);
  // Exact (byte for byte) membership of uri in the client's redirect URIs.
  static bool redirect_uri_registered(const OidcClient& client, std::string_view uri);
  static bool post_logout_uri_registered(const OidcClient& client, std::string_view uri);

 private:
  std::vector<ThrottleLimit> limits_of(std::string_view client_id, std::string_view address) const;
  // kThrottled when a limit is full (nothing counted), or the store's error.
  Status check_open(const std::vector<ThrottleLimit>& limits, UnixSeconds now);
  // Counts one failure against `limits`: kThrottled when a limit filled meanwhile.
  Status count_failure(const std::vector<ThrottleLimit>& limits, UnixSeconds now);
  // Audits the refusal and returns what the caller answers: `error` when it is kThrottled or
  // a store failure, else the generic kUnauthenticated.
  Error refuse(std::string_view client_id, std::string_view address, const Error& error,
               std::string_view reason);

  Ports ports_;
  int pair_limit_;
  int client_limit_;
  int address_limit_;
  std::int64_t window_;
};

}  // namespace automation
