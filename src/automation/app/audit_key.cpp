#include "automation/app/audit_key.hpp"

#include "automation/app/key_file.hpp"

namespace automation::app {

namespace {

constexpr std::size_t kMinKeyBytes = 32;
constexpr const char* kSettingKey = "audit_hmac_key";
constexpr const char* kSetting = "AUTOMATION_AUDIT_KEY_FILE";

Result<std::string> read_audit_key_file(const std::string& path) {
  auto key = read_key_file(kSetting, path);
  if (key && key->size() < kMinKeyBytes) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(kSetting) + " (" + path +
                    "): must hold at least 32 bytes (e.g. openssl rand -hex 32)");
  }
  return key;
}

}  // namespace

Result<std::string> resolve_audit_key(const config::AuditConfig& config, SettingsStore& settings,
                                      RandomSource& random) {
  if (!config.key_file.empty()) return read_audit_key_file(config.key_file);
  return settings.put_setting_if_absent(kSettingKey, random.random_hex(32));
}

}  // namespace automation::app
