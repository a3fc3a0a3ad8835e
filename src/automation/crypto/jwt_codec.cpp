#include "automation/crypto/jwt_codec.hpp"

#include <jwt.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

// Why libjwt and what is added around it (libjwt 1.10.2, Debian bookworm, with the
// CVE-2024-25189 constant-time signature compare):
// - jwt_decode takes a C string: a token with an embedded NUL would be cut short, so
//   the token is first checked to be exactly three base64url segments.
// - jwt_decode accepts every algorithm it knows (HS384, HS512, RS*, ES*) and matches
//   "alg" case-insensitively; only the exact header "alg":"HS256" is accepted here.
//   (It does reject "none" when a key is given; the shape check rejects it too, since an
//   unsigned token has an empty signature segment.)
// - jwt_get_grant/jwt_get_grant_int cannot tell a missing claim from one of the wrong
//   type (errno stays 0), so claim types are checked on the grants JSON instead.

namespace automation::crypto {

namespace {

struct JwtDeleter {
  void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
  void operator()(char* text) const noexcept { std::free(text); }
};
using CString = std::unique_ptr<char, FreeDeleter>;

static_assert(sizeof(long) >= sizeof(UnixSeconds), "libjwt's integer grants are long");

std::unexpected<Error> invalid_token() {
  return fail(ErrorCode::kUnauthenticated, "Invalid token");
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Compact JWS: header.payload.signature, each a non-empty unpadded base64url segment.
bool is_token_shaped(std::string_view token) {
  if (token.empty() || token.size() > Hs256JwtCodec::kMaxTokenBytes) return false;
  int dots = 0;
  std::size_t segment = 0;
  for (const char c : token) {
    if (c == '.') {
      if (segment == 0) return false;
      ++dots;
      segment = 0;
    } else if (is_base64url_char(c)) {
      ++segment;
    } else {
      return false;
    }
  }
  return dots == 2 && segment > 0;
}

bool usable_secret(std::string_view secret) {
  return !secret.empty() && secret.size() <= static_cast<std::size_t>(INT_MAX);
}

const unsigned char* key_bytes(std::string_view secret) {
  return reinterpret_cast<const unsigned char*>(secret.data());
}

std::optional<std::string> string_claim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<UnixSeconds> integer_claim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<UnixSeconds>::max())) {
      return std::nullopt;
    }
    return static_cast<UnixSeconds>(value);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  return std::nullopt;  // floats, strings, null, ... are not NumericDate integers here
}

}  // namespace

Result<std::string> Hs256JwtCodec::sign(const TptClaims& claims, std::string_view secret) {
  if (!usable_secret(secret)) return fail(ErrorCode::kInvalidArgument, "JWT secret is empty");
  for (const std::string* text : {&claims.role, &claims.created_on, &claims.jti}) {
    if (text->find('\0') != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument, "JWT claims must not contain NUL");
    }
  }

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0 || raw == nullptr) return fail(ErrorCode::kInternal, "jwt_new failed");
  const JwtPtr jwt(raw);

  // libjwt (jansson) refuses strings that are not valid UTF-8: that is the caller's input.
  if (jwt_add_grant(jwt.get(), "role", claims.role.c_str()) != 0 ||
      jwt_add_grant(jwt.get(), "created_on", claims.created_on.c_str()) != 0 ||
      jwt_add_grant(jwt.get(), "jti", claims.jti.c_str()) != 0) {
    return fail(ErrorCode::kInvalidArgument, "JWT claims must be valid UTF-8");
  }
  if (jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(claims.iat)) != 0 ||
      (claims.exp && jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(*claims.exp)) != 0)) {
    return fail(ErrorCode::kInternal, "cannot add JWT time claims");
  }
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, key_bytes(secret), static_cast<int>(secret.size())) !=
      0) {
    return fail(ErrorCode::kInternal, "cannot set JWT algorithm");
  }
  const CString encoded(jwt_encode_str(jwt.get()));
  if (!encoded) return fail(ErrorCode::kInternal, "JWT encoding failed");
  return std::string(encoded.get());
}

Result<TptClaims> Hs256JwtCodec::verify(std::string_view token, std::string_view secret) {
  if (!is_token_shaped(token) || !usable_secret(secret)) return invalid_token();

  const std::string terminated(token);
  jwt_t* raw = nullptr;
  const int rc =
      jwt_decode(&raw, terminated.c_str(), key_bytes(secret), static_cast<int>(secret.size()));
  const JwtPtr jwt(raw);
  if (rc != 0 || !jwt) return invalid_token();

  // The signature was checked with the header's algorithm; accept only HS256, spelled
  // exactly (jwt_str_alg would also map "hs256" to JWT_ALG_HS256).
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return invalid_token();
  const char* alg = jwt_get_header(jwt.get(), "alg");
  if (alg == nullptr || std::string_view(alg) != "HS256") return invalid_token();

  const CString grants(jwt_get_grants_json(jwt.get(), nullptr));
  if (!grants) return invalid_token();
  const auto json = nlohmann::json::parse(grants.get(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return invalid_token();

  auto role = string_claim(json, "role");
  auto created_on = string_claim(json, "created_on");
  auto jti = string_claim(json, "jti");
  const auto iat = integer_claim(json, "iat");
  if (!role || !created_on || !jti || !iat) return invalid_token();

  TptClaims claims;
  claims.role = std::move(*role);
  claims.created_on = std::move(*created_on);
  claims.jti = std::move(*jti);
  claims.iat = *iat;
  if (json.contains("exp")) {
    const auto exp = integer_claim(json, "exp");
    if (!exp) return invalid_token();
    claims.exp = *exp;
  }
  return claims;
}

}  // namespace automation::crypto
