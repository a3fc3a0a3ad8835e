#include "automation/oidc/signing_key.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <vector>

#include "automation/oidc/base64url.hpp"

namespace automation::oidc {

namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kGeneratedRsaBits = 2048;
constexpr std::size_t kP256CoordinateBytes = 32;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using OwnedBio = std::unique_ptr<BIO, BioFree>;
using OwnedBn = std::unique_ptr<BIGNUM, BnFree>;
using OwnedMdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using OwnedEcdsaSig = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

// The big-endian bytes of a BIGNUM parameter of `key`, left-padded to `width` (0: minimal).
std::optional<std::string> bn_param(const EVP_PKEY* key, const char* name, std::size_t width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return std::nullopt;
  const OwnedBn bn(raw);
  const std::size_t size = width != 0 ? width : static_cast<std::size_t>(BN_num_bytes(bn.get()));
  std::string bytes(size, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()),
                   static_cast<int>(size)) < 0) {
    return std::nullopt;
  }
  return bytes;
}

std::string sha256(std::string_view bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

// r||s (each 32 bytes) from a DER ECDSA signature.
std::optional<std::string> ecdsa_der_to_jws(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  const OwnedEcdsaSig sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (!sig) return std::nullopt;
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  std::string out(2 * kP256CoordinateBytes, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, bytes, kP256CoordinateBytes) < 0 ||
      BN_bn2binpad(s, bytes + kP256CoordinateBytes, kP256CoordinateBytes) < 0) {
    return std::nullopt;
  }
  return out;
}

// A DER ECDSA signature from r||s; nullopt unless exactly 64 bytes.
std::optional<std::string> ecdsa_jws_to_der(std::string_view jws) {
  if (jws.size() != 2 * kP256CoordinateBytes) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(jws.data());
  OwnedEcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, kP256CoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + kP256CoordinateBytes, kP256CoordinateBytes, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int size = i2d_ECDSA_SIG(sig.get(), &der);
  if (size <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  return out;
}

Error key_error(std::string message) {
  return Error::make(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

// Owns the EVP_PKEY (a plain pointer: a member whose type lives in the anonymous namespace
// would give this class internal linkage in a unity build).
struct OidcSigningKey::Pkey {
  explicit Pkey(EVP_PKEY* owned) : key(owned) {}
  ~Pkey() { EVP_PKEY_free(key); }
  Pkey(const Pkey&) = delete;
  Pkey& operator=(const Pkey&) = delete;
  EVP_PKEY* key;
};

std::string_view to_string(JwsAlgorithm algorithm) noexcept {
  return algorithm == JwsAlgorithm::kEs256 ? "ES256" : "RS256";
}

std::optional<JwsAlgorithm> jws_algorithm_named(std::string_view name) noexcept {
  if (name == "RS256") return JwsAlgorithm::kRs256;
  if (name == "ES256") return JwsAlgorithm::kEs256;
  return std::nullopt;
}

std::optional<std::string> jwk_thumbprint(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return std::nullopt;
  const auto text = [&jwk](const char* member) -> const std::string* {
    const auto found = jwk.find(member);
    if (found == jwk.end() || !found->is_string()) return nullptr;
    return found->get_ptr<const std::string*>();
  };
  const std::string* kty = text("kty");
  if (kty == nullptr) return std::nullopt;
  // Members in lexicographic order, no white space (RFC 7638 §3.2); the values are
  // base64url or fixed names, so they need no JSON escaping beyond what dump() does.
  nlohmann::ordered_json required;
  if (*kty == "RSA") {
    const std::string* e = text("e");
    const std::string* n = text("n");
    if (e == nullptr || n == nullptr) return std::nullopt;
    required = {{"e", *e}, {"kty", *kty}, {"n", *n}};
  } else if (*kty == "EC") {
    const std::string* crv = text("crv");
    const std::string* x = text("x");
    const std::string* y = text("y");
    if (crv == nullptr || x == nullptr || y == nullptr) return std::nullopt;
    required = {{"crv", *crv}, {"kty", *kty}, {"x", *x}, {"y", *y}};
  } else {
    return std::nullopt;
  }
  return base64url_encode(sha256(required.dump()));
}

OidcSigningKey::OidcSigningKey(std::unique_ptr<Pkey> key, JwsAlgorithm algorithm)
    : key_(std::move(key)), algorithm_(algorithm) {}
OidcSigningKey::~OidcSigningKey() = default;
OidcSigningKey::OidcSigningKey(OidcSigningKey&&) noexcept = default;
OidcSigningKey& OidcSigningKey::operator=(OidcSigningKey&&) noexcept = default;

Result<OidcSigningKey> OidcSigningKey::generate(JwsAlgorithm algorithm) {
  EVP_PKEY* raw = algorithm == JwsAlgorithm::kRs256
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA",
                                          static_cast<std::size_t>(kGeneratedRsaBits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (raw == nullptr) return fail(ErrorCode::kInternal, "generating an OIDC signing key failed");
  OidcSigningKey key(std::make_unique<Pkey>(raw), algorithm);
  if (auto described = key.describe(); !described) return fail(described.error());
  return key;
}

Result<OidcSigningKey> OidcSigningKey::from_pem(std::string_view pem) {
  // A PEM block must end with a line break for some readers; a file's last one may be gone.
  std::string text(pem);
  if (text.empty() || text.back() != '\n') text += '\n';
  const OwnedBio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) return fail(ErrorCode::kInternal, "out of memory reading a PEM key");
  // No passphrase callback: an encrypted key is refused rather than prompting on a terminal.
  static constexpr auto kNoPassphrase = [](char*, int, int, void*) { return 0; };
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, kNoPassphrase, nullptr);
  std::fill(text.begin(), text.end(), '\0');
  if (raw == nullptr) {
    return fail(key_error("is not a PEM private key (unencrypted PKCS#8, RSA or EC)"));
  }
  auto pkey = std::make_unique<Pkey>(raw);
  JwsAlgorithm algorithm = JwsAlgorithm::kRs256;
  if (EVP_PKEY_is_a(raw, "RSA")) {
    if (EVP_PKEY_get_bits(raw) < kMinRsaBits) {
      return fail(key_error("is an RSA key of fewer than 2048 bits"));
    }
  } else if (EVP_PKEY_is_a(raw, "EC")) {
    std::array<char, 64> group{};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(raw, OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                       group.size(), &length) != 1 ||
        std::string_view(group.data(), length) != "prime256v1") {
      return fail(key_error("is an EC key on a curve other than P-256 (ES256 needs P-256)"));
    }
    algorithm = JwsAlgorithm::kEs256;
  } else {
    return fail(key_error("is neither an RSA key (RS256) nor an EC P-256 key (ES256)"));
  }
  OidcSigningKey key(std::move(pkey), algorithm);
  if (auto described = key.describe(); !described) return fail(described.error());
  return key;
}

Status OidcSigningKey::describe() {
  const EVP_PKEY* key = key_->key;
  nlohmann::json jwk;
  if (algorithm_ == JwsAlgorithm::kRs256) {
    const auto n = bn_param(key, OSSL_PKEY_PARAM_RSA_N, 0);
    const auto e = bn_param(key, OSSL_PKEY_PARAM_RSA_E, 0);
    if (!n || !e) return fail(ErrorCode::kInternal, "reading an RSA public key failed");
    jwk = {{"kty", "RSA"}, {"n", base64url_encode(*n)}, {"e", base64url_encode(*e)}};
  } else {
    const auto x = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, kP256CoordinateBytes);
    const auto y = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, kP256CoordinateBytes);
    if (!x || !y) return fail(ErrorCode::kInternal, "reading an EC public key failed");
    jwk = {{"kty", "EC"}, {"crv", "P-256"}, {"x", base64url_encode(*x)},
           {"y", base64url_encode(*y)}};
  }
  auto thumbprint = jwk_thumbprint(jwk);
  if (!thumbprint) return fail(ErrorCode::kInternal, "computing a key thumbprint failed");
  kid_ = std::move(*thumbprint);
  jwk["use"] = "sig";
  jwk["alg"] = std::string(to_string(algorithm_));
  jwk["kid"] = kid_;
  public_jwk_ = std::move(jwk);
  return {};
}

Result<std::string> OidcSigningKey::private_pem() const {
  const OwnedBio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_->key, nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return fail(ErrorCode::kInternal, "writing an OIDC signing key as PEM failed");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<std::size_t>(size));
  OPENSSL_cleanse(data, static_cast<std::size_t>(size));
  return pem;
}

Result<std::string> OidcSigningKey::sign(std::string_view signing_input) const {
  const OwnedMdCtx ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_->key,
                            nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return fail(ErrorCode::kInternal, "signing a token failed");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return fail(ErrorCode::kInternal, "signing a token failed");
  }
  signature.resize(size);
  if (algorithm_ == JwsAlgorithm::kRs256) return signature;
  auto jws = ecdsa_der_to_jws(signature);
  if (!jws) return fail(ErrorCode::kInternal, "signing a token failed");
  return std::move(*jws);
}

bool OidcSigningKey::verify(std::string_view signing_input, std::string_view signature) const {
  std::string der;
  if (algorithm_ == JwsAlgorithm::kEs256) {
    auto converted = ecdsa_jws_to_der(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  const OwnedMdCtx ctx(EVP_MD_CTX_new());
  return ctx &&
         EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_->key,
                                 nullptr) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

}  // namespace automation::oidc
