// The OpenID Connect provider's public metadata (docs/oidc.md): Discovery 1.0's
// /.well-known/openid-configuration and the signing keys at /oidc/jwks. Neither exists while
// AUTOMATION_OIDC_ENABLED is off.

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "automation/http/routes.hpp"
#include "automation/oidc/oidc_keys.hpp"

namespace automation::http {
namespace {

// Clients cache the keys this long. A rotation publishes the new key before it signs
// anything only on this node; a client that meets a kid it has not cached yet fetches the
// set again (mod_auth_openidc, PyJWT and Authlib do), and the replaced keys stay published
// far longer than this, so a short cache costs a re-fetch now and then and never a refusal.
constexpr std::string_view kOidcJwksCacheControl = "public, max-age=300";
// The metadata changes only with the settings (a restart).
constexpr std::string_view kOidcDiscoveryCacheControl = "public, max-age=3600";
// A JWKS request reads the kept keys again when they were read longer ago than this (so a
// rotation elsewhere shows at once), and at most this often (OidcKeys rate-limits it too).
constexpr auto kOidcJwksFreshness = std::chrono::seconds(1);

constexpr std::string_view kOidcDiscoverySchema = R"({"type": "object", "properties": {
    "issuer": {"type": "string"}, "authorization_endpoint": {"type": "string"},
    "token_endpoint": {"type": "string"}, "userinfo_endpoint": {"type": "string"},
    "jwks_uri": {"type": "string"}, "revocation_endpoint": {"type": "string"},
    "introspection_endpoint": {"type": "string"}, "end_session_endpoint": {"type": "string"},
    "response_types_supported": {"type": "array", "items": {"type": "string"}},
    "id_token_signing_alg_values_supported": {"type": "array", "items": {"type": "string"}},
    "scopes_supported": {"type": "array", "items": {"type": "string"}},
    "claims_supported": {"type": "array", "items": {"type": "string"}}}})";

constexpr std::string_view kOidcJwksSchema = R"({"type": "object", "properties": {
    "keys": {"type": "array", "items": {"type": "object", "properties": {
      "kty": {"type": "string", "enum": ["RSA", "EC"]}, "use": {"type": "string"},
      "alg": {"type": "string", "enum": ["RS256", "ES256"]}, "kid": {"type": "string"},
      "n": {"type": "string"}, "e": {"type": "string"}, "crv": {"type": "string"},
      "x": {"type": "string"}, "y": {"type": "string"}}}}}})";

nlohmann::json discovery_document(const OidcOptions& oidc) {
  const std::string& issuer = oidc.issuer;
  const auto basic_and_post = nlohmann::json::array({"client_secret_basic", "client_secret_post"});
  return {
      {"issuer", issuer},
      {"authorization_endpoint", issuer + "/oidc/authorize"},
      {"token_endpoint", issuer + "/oidc/token"},
      {"userinfo_endpoint", issuer + "/oidc/userinfo"},
      {"jwks_uri", issuer + "/oidc/jwks"},
      {"revocation_endpoint", issuer + "/oidc/revoke"},
      {"introspection_endpoint", issuer + "/oidc/introspect"},
      {"end_session_endpoint", issuer + "/oidc/logout"},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query"}},
      {"grant_types_supported", {"authorization_code", "refresh_token", "client_credentials"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", oidc.keys->current()->signing_algorithms()},
      {"token_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post", "none"}},
      {"revocation_endpoint_auth_methods_supported", basic_and_post},
      {"introspection_endpoint_auth_methods_supported", basic_and_post},
      {"code_challenge_methods_supported", {"S256"}},
      {"scopes_supported", {"openid", "profile", "email", "roles", "offline_access"}},
      {"claims_supported",
       {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "sid",
        "preferred_username", "name", "email", "roles", "role_level"}},
  };
}

}  // namespace

std::vector<Route> oidc_discovery_routes(const RouteContext& context) {
  if (context.oidc == nullptr || !context.oidc->enabled()) return {};
  const OidcOptions& oidc = *context.oidc;
  // Rendered once: nothing in it changes while the server runs.
  auto discovery = std::make_shared<const std::string>(discovery_document(oidc).dump());
  return {
      {Method::kGet, "/.well-known/openid-configuration", KeyPolicy::kNone, Execution::kIoThread,
       [discovery](const Request&, const Caller&) {
         Response response = shared_json_response(200, discovery);
         response.cache_control = kOidcDiscoveryCacheControl;
         return response;
       },
       {.tag = "oidc",
        .summary = "OpenID Connect Discovery 1.0: the provider's metadata",
        .description = "The issuer, the endpoints (all under the issuer), and what the provider "
                       "supports: the code flow with PKCE (S256), RS256 and ES256 ID tokens, "
                       "the scopes and claims. Exists only with AUTOMATION_OIDC_ENABLED=true; "
                       "unauthenticated.",
        .responses = {{200, "The provider's metadata", kOidcDiscoverySchema}}}},
      {Method::kGet, "/oidc/jwks", KeyPolicy::kNone, Execution::kIoThread,
       [keys = oidc.keys](const Request&, const Caller&) {
         keys->refresh_if_older_than(kOidcJwksFreshness);
         Response response = json_response(200, keys->current()->jwks());
         response.cache_control = kOidcJwksCacheControl;
         return response;
       },
       {.tag = "oidc",
        .summary = "The provider's public signing keys (JWK Set, RFC 7517)",
        .description = "Every key a token the provider signed may name in its kid: the current "
                       "RS256 and ES256 keys, and keys replaced by a rotation until the tokens "
                       "they signed have expired. Cacheable for 5 minutes; a client meeting an "
                       "unknown kid should fetch it again. Exists only with "
                       "AUTOMATION_OIDC_ENABLED=true; unauthenticated.",
        .responses = {{200, "The published keys", kOidcJwksSchema}}}},
  };
}

}  // namespace automation::http
