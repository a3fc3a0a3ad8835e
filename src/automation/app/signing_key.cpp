#include "automation/app/signing_key.hpp"

#include "automation/app/key_file.hpp"
#include "automation/crypto/ed25519_sealer.hpp"
#include "automation/crypto/secret_wipe.hpp"

namespace automation::app {

namespace {

constexpr const char* kSigningKeyFileSetting = "AUTOMATION_SIGNING_KEY_FILE";
constexpr const char* kSigningSeedSetting = "signature_signing_seed";

}  // namespace

Result<SigningKey> resolve_signing_key(const std::string& key_file, SettingsStore& settings,
                                       RandomSource& random) {
  SigningKey key;
  Result<std::string> text = std::string();
  if (!key_file.empty()) {
    text = read_key_file(kSigningKeyFileSetting, key_file);
  } else {
    key.from_database = true;
    text = settings.put_setting_if_absent(kSigningSeedSetting,
                                          random.random_hex(crypto::kEd25519SeedBytes));
  }
  if (!text) return fail(text.error());
  auto sealer = crypto::Ed25519Sealer::from_key_text(*text);
  crypto::wipe_secret(*text);
  if (!sealer) {
    Error error = sealer.error();
    error.message = key_file.empty()
                        ? std::string("the signing key kept in the database (settings ") +
                              kSigningSeedSetting + ") " + error.message
                        : std::string(kSigningKeyFileSetting) + " (" + key_file + ") " +
                              error.message;
    return fail(std::move(error));
  }
  key.sealer = std::move(*sealer);
  return key;
}

}  // namespace automation::app
