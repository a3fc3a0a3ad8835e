#pragma once

// Secrets at rest (SPEC §8 "Keys at rest"): libsodium's XChaCha20-Poly1305 (IETF AEAD).

#include <array>
#include <string>
#include <string_view>

#include "automation/core/mfa_ports.hpp"

namespace automation::crypto {

// The SecretBox port. Sealed text is "v1:" then hex of a random 24-byte nonce, the ciphertext
// and its 16-byte tag; the context is the AEAD's associated data, so a box opens only for
// the record it was sealed for. Thread-safe (the key is only read).
class XChaChaSecretBox final : public SecretBox {
 public:
  // key_material: any text of at least 32 bytes (a key file's contents, or the generated key
  // kept in the settings table); the 256-bit key is derived from it with BLAKE2b, so every
  // byte of it counts and the same material always gives the same key.
  explicit XChaChaSecretBox(std::string_view key_material);
  ~XChaChaSecretBox() override;  // wipes the key
  XChaChaSecretBox(const XChaChaSecretBox&) = delete;
  XChaChaSecretBox& operator=(const XChaChaSecretBox&) = delete;

  std::string seal(std::string_view plaintext, std::string_view context) override;
  Result<std::string> open(std::string_view sealed, std::string_view context) override;

 private:
  std::array<unsigned char, 32> key_{};
};

}  // namespace automation::crypto
