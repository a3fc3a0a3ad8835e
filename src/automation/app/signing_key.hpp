#pragma once

// Where the electronic signatures' Ed25519 signing key comes from (docs/signatures.md).

#include <memory>
#include <string>

#include "automation/core/error.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/signature.hpp"

namespace automation::app {

struct SigningKey {
  std::unique_ptr<SignatureSealer> sealer;
  bool from_database = false;  // generated and kept in the settings table (warn once at start)
};

// The key in `key_file` (AUTOMATION_SIGNING_KEY_FILE: an Ed25519 private key in PEM, or its
// 32-byte seed as 64 hex characters; refused when the file is readable by group or others),
// or else a random seed kept in the settings table (first process wins, so every node of a
// cluster seals with the same key; `db copy` carries it). As with the audit key, someone who
// can read the settings table could then sign too: a plant that must rule that out uses a
// key file.
Result<SigningKey> resolve_signing_key(const std::string& key_file, SettingsStore& settings,
                                       RandomSource& random);

}  // namespace automation::app
