#pragma once

// Where the OpenID Connect provider's signing keys come from (docs/oidc.md "Keys and
// rotation", SPEC §8 "Keys at rest"), and their rotation.

#include <memory>
#include <string>
#include <vector>

#include "automation/config/config.hpp"
#include "automation/core/error.hpp"
#include "automation/core/model.hpp"
#include "automation/core/ports.hpp"

namespace automation::oidc {
class OidcKeys;
}

namespace automation::app {

// The settings-table key of the kept key ring (oidc/key_ring.hpp). `db copy` carries it.
inline constexpr const char* kOidcKeyRingSetting = "oidc_signing_keys";
// How often a serving process reads the kept ring again (a rotation by another node or the
// CLI); a JWKS request or a token of an unknown kid reads it sooner (rate-limited).
inline constexpr int kOidcKeyReloadSeconds = 30;

struct ResolvedOidcKeys {
  std::unique_ptr<oidc::OidcKeys> keys;
  bool from_database = false;  // generated and kept in the settings table (warn at start)
};

// The keys in AUTOMATION_OIDC_RSA_KEY_FILE and AUTOMATION_OIDC_EC_KEY_FILE (refused when
// group or others can read them; fixed while the process runs), or else the ring kept in the
// settings table, generated at the first start (first writer wins, so every node of a cluster
// signs with the same keys) and read again by OidcKeys::refresh. `settings` and `clock` must
// outlive the keys. Errors name the setting or the kept ring, never key material.
Result<ResolvedOidcKeys> resolve_oidc_keys(const config::OidcConfig& config,
                                           SettingsStore& settings, Clock& clock);

// Seconds a replaced key stays published after a rotation: the longest token lifetime
// (ID, access, refresh), plus two reload periods for nodes that keep signing with it until
// they read the rotated ring.
UnixSeconds oidc_key_keep_seconds(const config::OidcConfig& config);

struct OidcKeyRotation {
  struct Key {
    std::string alg;
    std::string kid;
  };
  std::vector<Key> current;   // the new signing keys
  std::vector<Key> retiring;  // the replaced ones, published until retire_at
  UnixSeconds retire_at = 0;
  std::size_t dropped = 0;  // earlier keys whose time was up, removed from the ring
};

// A new current key per algorithm in the kept ring (compare-and-set, retried when another
// writer came first); the replaced keys stay published for oidc_key_keep_seconds. kRuleViolation
// with key files (rotate by replacing them) and when the provider is off.
Result<OidcKeyRotation> rotate_oidc_keys(const config::OidcConfig& config, SettingsStore& settings,
                                         Clock& clock);

}  // namespace automation::app
