#pragma once

// Where the audit chain's HMAC key comes from (docs/security-controls.md).

#include <string>

#include "automation/config/config.hpp"
#include "automation/core/error.hpp"
#include "automation/core/ports.hpp"

namespace automation::app {

// The key named by AUTOMATION_AUDIT_KEY_FILE (at least 32 bytes; a trailing newline is not
// part of it; refused when the file is readable by group or others), or else a random key
// kept in the settings table (first process wins, so every node of a cluster shares it).
// The settings table is not the audit table, so edits to the audit table alone are caught;
// against someone who can also read the settings table, use a key file.
Result<std::string> resolve_audit_key(const config::AuditConfig& config, SettingsStore& settings,
                                      RandomSource& random);

}  // namespace automation::app
