#include "automation/crypto/ed25519_sealer.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <optional>
#include <vector>

#include "automation/crypto/hex.hpp"
#include "automation/crypto/sodium_runtime.hpp"

namespace automation::crypto {
namespace {

constexpr int kBase64 = sodium_base64_VARIANT_ORIGINAL;
static_assert(kEd25519SecretKeyBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kEd25519SeedBytes == crypto_sign_SEEDBYTES);

std::string to_base64(const unsigned char* bytes, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, kBase64), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, kBase64);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Exactly `size` bytes from strict base64; nullopt otherwise.
std::optional<std::vector<unsigned char>> from_base64(std::string_view text, std::size_t size) {
  std::vector<unsigned char> bytes(size);
  std::size_t decoded = 0;
  const char* end = nullptr;
  if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &decoded,
                        &end, kBase64) != 0 ||
      decoded != size || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return bytes;
}

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The seed of a PEM Ed25519 private key, through OpenSSL (which parses PKCS#8).
Result<std::string> seed_from_pem(std::string_view pem) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return fail(ErrorCode::kInternal, "OpenSSL could not allocate a buffer");
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key) return fail(ErrorCode::kInvalidArgument, "is not a readable PEM private key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    return fail(ErrorCode::kInvalidArgument,
                "holds a private key of another type than Ed25519 (openssl genpkey -algorithm "
                "ed25519)");
  }
  std::string seed(kEd25519SeedBytes, '\0');
  std::size_t length = seed.size();
  if (EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(seed.data()),
                                   &length) != 1 ||
      length != kEd25519SeedBytes) {
    return fail(ErrorCode::kInvalidArgument, "holds an Ed25519 key OpenSSL cannot export");
  }
  return seed;
}

}  // namespace

std::string ed25519_key_id(std::string_view raw_public_key) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(raw_public_key.data()),
                     raw_public_key.size());
  return detail::to_lower_hex(std::span<const unsigned char>(digest.data(), 8));
}

std::string ed25519_public_key_pem(std::string_view public_key_base64) {
  detail::ensure_sodium_initialized();
  const auto raw = from_base64(public_key_base64, crypto_sign_PUBLICKEYBYTES);
  if (!raw) return {};
  // SEQUENCE { SEQUENCE { OID 1.3.101.112 (Ed25519) } BIT STRING (32 bytes) }.
  std::vector<unsigned char> der = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                    0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
  der.insert(der.end(), raw->begin(), raw->end());
  return "-----BEGIN PUBLIC KEY-----\n" + to_base64(der.data(), der.size()) +
         "\n-----END PUBLIC KEY-----\n";
}

Result<std::unique_ptr<Ed25519Sealer>> Ed25519Sealer::from_seed(std::string_view seed) {
  detail::ensure_sodium_initialized();
  if (seed.size() != kEd25519SeedBytes) {
    return fail(ErrorCode::kInvalidArgument, "an Ed25519 seed is 32 bytes");
  }
  std::unique_ptr<Ed25519Sealer> sealer(new Ed25519Sealer());
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  crypto_sign_seed_keypair(public_key.data(), sealer->secret_.data(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  const std::string_view raw(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  sealer->public_ = SigningPublicKey{ed25519_key_id(raw), "Ed25519",
                                     to_base64(public_key.data(), public_key.size()), 0};
  return sealer;
}

Result<std::unique_ptr<Ed25519Sealer>> Ed25519Sealer::from_key_text(std::string_view text) {
  const std::string_view key = trimmed(text);
  if (key.starts_with("-----BEGIN")) {
    auto seed = seed_from_pem(key);
    if (!seed) return fail(seed.error());
    auto sealer = from_seed(*seed);
    sodium_memzero(seed->data(), seed->size());
    return sealer;
  }
  if (key.size() != 2 * kEd25519SeedBytes) {
    return fail(ErrorCode::kInvalidArgument,
                "must hold an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519) "
                "or its 32-byte seed as 64 hex characters");
  }
  std::string seed(kEd25519SeedBytes, '\0');
  std::size_t decoded = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(seed.data()), seed.size(), key.data(),
                     key.size(), nullptr, &decoded, &end) != 0 ||
      decoded != seed.size() || end != key.data() + key.size()) {
    sodium_memzero(seed.data(), seed.size());
    return fail(ErrorCode::kInvalidArgument, "holds 64 characters that are not all hex");
  }
  auto sealer = from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return sealer;
}

Ed25519Sealer::~Ed25519Sealer() { sodium_memzero(secret_.data(), secret_.size()); }

std::string Ed25519Sealer::seal(std::string_view message) const {
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_.data());
  return to_base64(signature.data(), signature.size());
}

Ed25519SealChecker::Ed25519SealChecker() { detail::ensure_sodium_initialized(); }

bool Ed25519SealChecker::check(const SigningPublicKey& key, std::string_view message,
                               std::string_view value) const {
  if (key.algorithm != "Ed25519") return false;
  const auto public_key = from_base64(key.public_key, crypto_sign_PUBLICKEYBYTES);
  const auto signature = from_base64(value, crypto_sign_BYTES);
  if (!public_key || !signature) return false;
  return crypto_sign_verify_detached(signature->data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_key->data()) == 0;
}

}  // namespace automation::crypto
