#include "automation/crypto/secret_box.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

#include "automation/crypto/hex.hpp"
#include "automation/crypto/sodium_runtime.hpp"

namespace automation::crypto {

namespace {

constexpr std::string_view kVersion = "v1:";
// Domain separation: the same key material used for something else yields another key.
constexpr std::string_view kDerivationKey = "automation-mfa-secret-box-v1";
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::unexpected<Error> unopenable() {
  return fail(ErrorCode::kInternal,
              "a sealed MFA secret does not open: altered, moved to another record, or sealed "
              "under another key (AUTOMATION_MFA_KEY_FILE)");
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

XChaChaSecretBox::XChaChaSecretBox(std::string_view key_material) {
  detail::ensure_sodium_initialized();
  if (key_material.size() < 32) throw std::invalid_argument("MFA key material under 32 bytes");
  crypto_generichash(key_.data(), key_.size(), bytes(key_material), key_material.size(),
                     bytes(kDerivationKey), kDerivationKey.size());
}

XChaChaSecretBox::~XChaChaSecretBox() { sodium_memzero(key_.data(), key_.size()); }

std::string XChaChaSecretBox::seal(std::string_view plaintext, std::string_view context) {
  std::vector<unsigned char> box(kNonceBytes + plaintext.size() + kTagBytes);
  randombytes_buf(box.data(), kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(box.data() + kNonceBytes, &written, bytes(plaintext),
                                             plaintext.size(), bytes(context), context.size(),
                                             nullptr, box.data(), key_.data());
  box.resize(kNonceBytes + static_cast<std::size_t>(written));
  return std::string(kVersion) + detail::to_lower_hex(box);
}

Result<std::string> XChaChaSecretBox::open(std::string_view sealed, std::string_view context) {
  if (!sealed.starts_with(kVersion)) return unopenable();
  const std::string_view hex = sealed.substr(kVersion.size());
  if (hex.size() % 2 != 0 || hex.size() / 2 < kNonceBytes + kTagBytes) return unopenable();
  std::vector<unsigned char> box(hex.size() / 2);
  for (std::size_t i = 0; i < box.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return unopenable();
    box[i] = static_cast<unsigned char>(high * 16 + low);
  }
  std::string plaintext(box.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &length, nullptr,
          box.data() + kNonceBytes, box.size() - kNonceBytes, bytes(context), context.size(),
          box.data(), key_.data()) != 0) {
    return unopenable();
  }
  plaintext.resize(static_cast<std::size_t>(length));
  return plaintext;
}

}  // namespace automation::crypto
