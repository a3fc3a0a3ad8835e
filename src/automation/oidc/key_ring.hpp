#pragma once

// The signing keys the provider keeps in the settings table (docs/oidc.md "Keys and
// rotation"): private keys in PEM with what each is for, as one JSON text:
//   {"version": 1, "keys": [{"pem": "...", "current": true},
//                           {"pem": "...", "current": false, "retire_at": 1767225600}]}
// A current key signs new tokens (one per algorithm); any other key is only published (JWKS)
// and accepted by verify, until its retire_at (Unix seconds) when it has one. Parsing and
// writing it is all this file does: where the text is kept is the caller's.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"
#include "automation/oidc/key_set.hpp"
#include "automation/oidc/signing_key.hpp"

namespace automation::oidc {

struct KeptOidcKey {
  std::shared_ptr<const OidcSigningKey> key;
  std::string pem;  // as kept, written back unchanged
  bool current = false;
  std::optional<UnixSeconds> retire_at;  // dropped from then on (none: published for good)
};

class OidcKeyRing {
 public:
  // A ring of two new current keys, RS256 and ES256.
  static Result<OidcKeyRing> generate();
  // The ring a kept text holds. kInvalidArgument for anything but the format above with
  // readable keys and exactly one current key per algorithm (messages name no key material).
  static Result<OidcKeyRing> parse(std::string_view text);
  // The text to keep (holds the private keys: never log it).
  std::string serialize() const;

  // This ring after a rotation at `now`: a new current key per algorithm; the keys that were
  // current stay published until now + keep_seconds; keys retired by `now` are dropped.
  Result<OidcKeyRing> rotated(UnixSeconds now, UnixSeconds keep_seconds) const;
  // The keys published at `now`: the current ones and those not yet retired.
  Result<std::shared_ptr<const OidcKeySet>> key_set(UnixSeconds now) const;
  // The first retire_at after `now` (when key_set(now) stops being right), nullopt if none.
  std::optional<UnixSeconds> next_retirement(UnixSeconds now) const;

  const std::vector<KeptOidcKey>& keys() const { return keys_; }

 private:
  std::vector<KeptOidcKey> keys_;
};

}  // namespace automation::oidc
