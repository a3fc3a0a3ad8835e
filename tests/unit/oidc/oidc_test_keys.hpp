#pragma once

// Keys shared by the OIDC unit tests: generated once per process (an RSA key costs tens of
// milliseconds), and PEM texts of key kinds the provider refuses.

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "automation/oidc/key_set.hpp"
#include "automation/oidc/signing_key.hpp"

namespace automation::oidc::testing {

inline std::shared_ptr<const OidcSigningKey> shared_generated(JwsAlgorithm algorithm) {
  auto key = OidcSigningKey::generate(algorithm);
  if (!key) throw std::runtime_error(key.error().message);
  return std::make_shared<const OidcSigningKey>(std::move(*key));
}

inline const std::shared_ptr<const OidcSigningKey>& rsa_key() {
  static const auto key = shared_generated(JwsAlgorithm::kRs256);
  return key;
}
inline const std::shared_ptr<const OidcSigningKey>& ec_key() {
  static const auto key = shared_generated(JwsAlgorithm::kEs256);
  return key;
}

inline OidcKeySet key_set_of(std::vector<OidcKeySet::Key> current,
                             std::vector<OidcKeySet::Key> others = {}) {
  auto set = OidcKeySet::make(std::move(current), std::move(others));
  if (!set) throw std::runtime_error(set.error().message);
  return std::move(*set);
}

// A PEM private key OpenSSL makes with `EVP_PKEY_Q_keygen(type, param)`.
inline std::string foreign_key_pem(const char* type, const char* curve, std::size_t bits = 0) {
  EVP_PKEY* key = curve != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                  : bits != 0      ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, bits)
                                   : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

}  // namespace automation::oidc::testing
