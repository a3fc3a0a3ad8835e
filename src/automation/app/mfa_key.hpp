#pragma once

// Where the key that seals MFA secrets at rest comes from (docs/mfa.md).

#include <string>

#include "automation/config/config.hpp"
#include "automation/core/error.hpp"
#include "automation/core/ports.hpp"

namespace automation::app {

struct MfaKey {
  std::string material;     // at least 32 bytes; the box derives its key from it
  bool from_database = false;  // generated and kept in the settings table (warn at start)
};

// The key named by AUTOMATION_MFA_KEY_FILE (the audit key file's rules: app/key_file.hpp), or
// else a random key kept in the settings table (first process wins, so every node of a
// cluster shares it, and `automation db copy` carries it along). Against someone who can read
// the database, use a key file: with the key in the settings table a copy of the database
// holds both the sealed secrets and their key.
Result<MfaKey> resolve_mfa_key(const config::MfaKeyConfig& config, SettingsStore& settings,
                               RandomSource& random);

}  // namespace automation::app
