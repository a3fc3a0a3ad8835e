#include "automation/app/oidc_key_source.hpp"

#include <algorithm>
#include <mutex>
#include <optional>

#include "automation/app/key_file.hpp"
#include "automation/crypto/secret_wipe.hpp"
#include "automation/oidc/key_ring.hpp"
#include "automation/oidc/oidc_keys.hpp"

namespace automation::app {

namespace {

constexpr int kOidcRotationAttempts = 5;

// One key file: the rules of every key file (app/key_file.hpp), then the algorithm it must be.
Result<std::shared_ptr<const oidc::OidcSigningKey>> read_oidc_key_file(
    const char* setting, const std::string& path, oidc::JwsAlgorithm wanted) {
  auto text = read_key_file(setting, path);
  if (!text) return fail(text.error());
  auto key = oidc::OidcSigningKey::from_pem(*text);
  crypto::wipe_secret(*text);
  if (!key) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(setting) + " (" + path + ") " + key.error().message);
  }
  if (key->algorithm() != wanted) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(setting) + " (" + path + ") holds a key for " +
                    std::string(oidc::to_string(key->algorithm())) + ", not " +
                    std::string(oidc::to_string(wanted)));
  }
  return std::make_shared<const oidc::OidcSigningKey>(std::move(*key));
}

// The kept ring as text, generated and stored first when there is none (first writer wins).
Result<std::string> kept_ring_text(SettingsStore& settings) {
  auto stored = settings.get_setting(kOidcKeyRingSetting);
  if (!stored) return fail(stored.error());
  if (*stored) return std::move(**stored);
  // Generated only when absent: an RSA key costs tens of milliseconds, every start would
  // otherwise pay for one it throws away.
  auto ring = oidc::OidcKeyRing::generate();
  if (!ring) return fail(ring.error());
  std::string text = ring->serialize();
  auto kept = settings.put_setting_if_absent(kOidcKeyRingSetting, text);
  crypto::wipe_secret(text);
  return kept;
}

// Reads the kept ring and builds the published set, parsing the keys again only when the
// text changed; rebuilt anyway once a previous key's time is up.
class KeptRingLoader {
 public:
  KeptRingLoader(SettingsStore& settings, Clock& clock) : settings_(settings), clock_(clock) {}

  Result<std::shared_ptr<const oidc::OidcKeySet>> operator()() {
    auto text = kept_ring_text(settings_);
    if (!text) return fail(text.error());
    const UnixSeconds now = clock_.now();
    const std::lock_guard lock(mutex_);
    if (!set_ || *text != text_) {
      auto ring = oidc::OidcKeyRing::parse(*text);
      if (!ring) {
        Error error = ring.error();
        error.message += std::string(" (settings ") + kOidcKeyRingSetting + ")";
        return fail(std::move(error));
      }
      crypto::wipe_secret(text_);
      text_ = std::move(*text);
      ring_ = std::move(*ring);
      set_.reset();
    } else {
      crypto::wipe_secret(*text);
    }
    if (!set_ || (rebuild_at_ && now >= *rebuild_at_)) {
      auto set = ring_.key_set(now);
      if (!set) return fail(set.error());
      set_ = std::move(*set);
      rebuild_at_ = ring_.next_retirement(now);
    }
    return set_;
  }

 private:
  SettingsStore& settings_;
  Clock& clock_;
  std::mutex mutex_;
  std::string text_;
  oidc::OidcKeyRing ring_;
  std::shared_ptr<const oidc::OidcKeySet> set_;
  std::optional<UnixSeconds> rebuild_at_;
};

}  // namespace

Result<ResolvedOidcKeys> resolve_oidc_keys(const config::OidcConfig& config,
                                           SettingsStore& settings, Clock& clock) {
  if (!config.rsa_key_file.empty() || !config.ec_key_file.empty()) {
    auto rsa = read_oidc_key_file("AUTOMATION_OIDC_RSA_KEY_FILE", config.rsa_key_file,
                                  oidc::JwsAlgorithm::kRs256);
    if (!rsa) return fail(rsa.error());
    auto ec = read_oidc_key_file("AUTOMATION_OIDC_EC_KEY_FILE", config.ec_key_file,
                                 oidc::JwsAlgorithm::kEs256);
    if (!ec) return fail(ec.error());
    auto set = oidc::OidcKeySet::make({std::move(*rsa), std::move(*ec)}, {});
    if (!set) return fail(set.error());
    return ResolvedOidcKeys{
        oidc::OidcKeys::fixed(std::make_shared<const oidc::OidcKeySet>(std::move(*set))), false};
  }
  auto loader = std::make_shared<KeptRingLoader>(settings, clock);
  auto keys = oidc::OidcKeys::load([loader] { return (*loader)(); });
  if (!keys) return fail(keys.error());
  return ResolvedOidcKeys{std::move(*keys), true};
}

UnixSeconds oidc_key_keep_seconds(const config::OidcConfig& config) {
  const unsigned longest = std::max({config.id_token_seconds, config.access_token_seconds,
                                     config.refresh_token_seconds});
  return static_cast<UnixSeconds>(longest) + 2 * kOidcKeyReloadSeconds;
}

Result<OidcKeyRotation> rotate_oidc_keys(const config::OidcConfig& config, SettingsStore& settings,
                                         Clock& clock) {
  if (!config.enabled) {
    return fail(ErrorCode::kRuleViolation,
                "the OpenID Connect provider is off (AUTOMATION_OIDC_ENABLED): no keys to rotate");
  }
  if (!config.rsa_key_file.empty() || !config.ec_key_file.empty()) {
    return fail(ErrorCode::kRuleViolation,
                "the OIDC signing keys come from AUTOMATION_OIDC_RSA_KEY_FILE and "
                "AUTOMATION_OIDC_EC_KEY_FILE: rotate them by replacing the files (see "
                "docs/oidc.md), not with rotate-keys");
  }
  for (int attempt = 0; attempt < kOidcRotationAttempts; ++attempt) {
    auto text = kept_ring_text(settings);
    if (!text) return fail(text.error());
    auto ring = oidc::OidcKeyRing::parse(*text);
    if (!ring) return fail(ring.error());
    const UnixSeconds now = clock.now();
    const UnixSeconds keep = oidc_key_keep_seconds(config);
    auto rotated = ring->rotated(now, keep);
    if (!rotated) return fail(rotated.error());
    std::string rotated_text = rotated->serialize();
    auto replaced = settings.replace_setting_if(kOidcKeyRingSetting, *text, rotated_text);
    crypto::wipe_secret(*text);
    crypto::wipe_secret(rotated_text);
    if (!replaced) return fail(replaced.error());
    if (!*replaced) continue;  // another rotation came first: rotate what it left
    OidcKeyRotation rotation;
    rotation.retire_at = now + keep;
    for (const oidc::KeptOidcKey& key : rotated->keys()) {
      OidcKeyRotation::Key named{std::string(oidc::to_string(key.key->algorithm())),
                                 key.key->kid()};
      if (key.current) {
        rotation.current.push_back(std::move(named));
      } else if (key.retire_at == rotation.retire_at) {
        rotation.retiring.push_back(std::move(named));
      }
    }
    rotation.dropped = ring->keys().size() + 2 - rotated->keys().size();
    return rotation;
  }
  return fail(ErrorCode::kUnavailable,
              "the OIDC signing keys kept changing while being rotated; try again");
}

}  // namespace automation::app
