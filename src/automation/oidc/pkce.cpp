#include "automation/oidc/pkce.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <string>

#include "automation/oidc/base64url.hpp"
#include "automation/crypto/tokens.hpp"

namespace automation::oidc {
namespace {

bool is_pkce_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_';
}

}  // namespace

bool is_s256_challenge(std::string_view challenge) {
  return challenge.size() == 43 && std::all_of(challenge.begin(), challenge.end(), is_base64url_char);
}

bool is_code_verifier(std::string_view verifier) {
  return verifier.size() >= 43 && verifier.size() <= 128 &&
         std::all_of(verifier.begin(), verifier.end(), is_pkce_unreserved);
}

bool verifier_matches(std::string_view verifier, std::string_view challenge) {
  if (!is_code_verifier(verifier)) return false;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(verifier.data(), verifier.size(), digest.data(), &length, EVP_sha256(),
                 nullptr) != 1) {
    return false;
  }
  const std::string computed = base64url_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), length));
  return crypto::constant_time_equal(computed, challenge);
}

}  // namespace automation::oidc
