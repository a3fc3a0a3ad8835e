#include "automation/app/mfa_key.hpp"

#include "automation/app/key_file.hpp"

namespace automation::app {

namespace {

constexpr const char* kMfaKeySetting = "mfa_secret_key";

}  // namespace

Result<MfaKey> resolve_mfa_key(const config::MfaKeyConfig& config, SettingsStore& settings,
                               RandomSource& random) {
  if (!config.key_file.empty()) {
    auto key = read_key_file("AUTOMATION_MFA_KEY_FILE", config.key_file);
    if (!key) return fail(key.error());
    return MfaKey{std::move(*key), false};
  }
  auto kept = settings.put_setting_if_absent(kMfaKeySetting, random.random_hex(32));
  if (!kept) return fail(kept.error());
  return MfaKey{std::move(*kept), true};
}

}  // namespace automation::app
