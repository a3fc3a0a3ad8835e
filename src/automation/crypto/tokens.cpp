#include "automation/crypto/tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <stdexcept>
#include <vector>

#include "automation/crypto/hex.hpp"
#include "automation/crypto/sodium_runtime.hpp"

namespace automation::crypto {

SecureRandom::SecureRandom() { detail::ensure_sodium_initialized(); }

std::string SecureRandom::random_hex(std::size_t n_bytes) {
  if (n_bytes == 0) return {};  // libsodium declares its buffer non-null
  std::vector<unsigned char> bytes(n_bytes);
  // randombytes_buf cannot fail: libsodium aborts rather than return weak bytes.
  randombytes_buf(bytes.data(), bytes.size());
  std::string hex = detail::to_lower_hex(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return hex;
}

namespace {

// Fetched once: EVP_sha256() makes OpenSSL 3 look the implementation up again on every
// digest (about 4% of a key check's CPU). Kept for the life of the process on purpose: freeing
// it at exit could race OpenSSL's own clean-up.
const EVP_MD* sha256() {
  static const EVP_MD* const fetched = [] {
    const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md != nullptr ? md : EVP_sha256();
  }();
  return fetched;
}

}  // namespace

std::string Sha256Digester::digest(std::string_view token) {
  std::array<unsigned char, 32> md{};
  unsigned int md_len = 0;
  if (EVP_Digest(token.data(), token.size(), md.data(), &md_len, sha256(), nullptr) != 1 ||
      md_len != md.size()) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return detail::to_lower_hex(md);
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace automation::crypto
