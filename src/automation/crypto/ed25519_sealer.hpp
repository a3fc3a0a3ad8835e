#pragma once

// Ed25519 (libsodium) for electronic signatures: the service's signing key and the check of a
// seal with a public key alone (docs/signatures.md).

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "automation/core/error.hpp"
#include "automation/core/signature.hpp"

namespace automation::crypto {

inline constexpr std::size_t kEd25519SeedBytes = 32;
inline constexpr std::size_t kEd25519SecretKeyBytes = 64;  // libsodium's: seed and public key

// The key id of a raw 32-byte public key: the first 8 bytes of its SHA-256, in lowercase hex.
std::string ed25519_key_id(std::string_view raw_public_key);

// The public key (base64 of the 32 raw bytes) as a PEM SubjectPublicKeyInfo, the form
// `openssl pkeyutl -verify -pubin` reads (RFC 8410: a fixed 12-byte DER prefix, then the raw
// key); "" when the key does not decode to 32 bytes.
std::string ed25519_public_key_pem(std::string_view public_key_base64);

class Ed25519Sealer final : public SignatureSealer {
 public:
  // From the 32-byte seed (RFC 8032's private key). kInvalidArgument for another length.
  static Result<std::unique_ptr<Ed25519Sealer>> from_seed(std::string_view seed);
  // From the text of a key file: an Ed25519 private key in PEM (PKCS#8, as
  // `openssl genpkey -algorithm ed25519` writes it) or the seed as 64 hex characters.
  // kInvalidArgument saying what is wrong (never quoting the key).
  static Result<std::unique_ptr<Ed25519Sealer>> from_key_text(std::string_view text);
  ~Ed25519Sealer() override;  // wipes the secret key
  Ed25519Sealer(const Ed25519Sealer&) = delete;
  Ed25519Sealer& operator=(const Ed25519Sealer&) = delete;

  const SigningPublicKey& public_key() const override { return public_; }
  std::string seal(std::string_view message) const override;

 private:
  Ed25519Sealer() = default;
  std::array<unsigned char, kEd25519SecretKeyBytes> secret_{};
  SigningPublicKey public_;
};

class Ed25519SealChecker final : public SealChecker {
 public:
  Ed25519SealChecker();
  bool check(const SigningPublicKey& key, std::string_view message,
             std::string_view value) const override;
};

}  // namespace automation::crypto
