#include "automation/app/audit_key.hpp"

#include "automation/app/key_file.hpp"

namespace automation::app {

namespace {

constexpr const char* kAuditKeySetting = "audit_hmac_key";

}  // namespace

Result<std::string> resolve_audit_key(const config::AuditConfig& config, SettingsStore& settings,
                                      RandomSource& random) {
  if (!config.key_file.empty()) {
    return read_key_file("AUTOMATION_AUDIT_KEY_FILE", config.key_file);
  }
  return settings.put_setting_if_absent(kAuditKeySetting, random.random_hex(32));
}

}  // namespace automation::app
