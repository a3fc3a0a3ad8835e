#include "automation/app/audit_key.hpp"

#include "automation/config/secret_file.hpp"

namespace automation::app {

namespace {

constexpr std::size_t kMinKeyBytes = 32;
constexpr const char* kSettingKey = "audit_hmac_key";

Result<std::string> read_key_file(const std::string& path) {
  auto key = config::read_secret_file("AUTOMATION_AUDIT_KEY_FILE", path);
  if (!key) return key;
  if (key->size() < kMinKeyBytes) {
    return fail(ErrorCode::kInvalidArgument, "AUTOMATION_AUDIT_KEY_FILE (" + path +
                                                 "): must hold at least 32 bytes (e.g. openssl "
                                                 "rand -hex 32)");
  }
  return key;
}

}  // namespace

Result<std::string> resolve_audit_key(const config::AuditConfig& config, SettingsStore& settings,
                                      RandomSource& random) {
  if (!config.key_file.empty()) return read_key_file(config.key_file);
  return settings.put_setting_if_absent(kSettingKey, random.random_hex(32));
}

}  // namespace automation::app
