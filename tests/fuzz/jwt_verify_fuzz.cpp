// Third-party tokens: HS256 JWT decode and verify with a fixed secret, and sign -> verify.
//
// Input, first byte even: the rest is a token given to verify(). The corpus holds tokens
// signed with kSecret (so mutations reach claim parsing behind a valid signature only when
// the fuzzer keeps the signature right, which it rarely does; the second mode covers that).
// Input, first byte odd: the rest is sixteen bytes of iat and exp (exp 0 = none), then role,
// created_on and jti separated by '\n'; these claims are signed and verified.
// Invariants: a token that verifies, signed again, verifies to the same claims; signed
// claims verify to themselves.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "automation/crypto/jwt_codec.hpp"

#include "fuzz_invariant.hpp"

namespace {

using automation::fuzzing::invariant_broken;

// The secret the corpus tokens were signed with (tests/fuzz/corpus/jwt_verify_fuzz).
constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef0123456789";

bool same(const automation::TptClaims& a, const automation::TptClaims& b) {
  return a.role == b.role && a.created_on == b.created_on && a.iat == b.iat && a.jti == b.jti &&
         a.exp == b.exp;
}

void check_round_trip(automation::crypto::Hs256JwtCodec& codec,
                      const automation::TptClaims& claims) {
  auto token = codec.sign(claims, kSecret);
  if (!token) return;  // claims that cannot be signed (invalid UTF-8, NUL) are refused
  auto verified = codec.verify(*token, kSecret);
  if (!verified) invariant_broken("a signed token does not verify");
  if (!same(claims, *verified)) invariant_broken("a signed token verifies to other claims");
}

std::string_view next_field(std::string_view& rest) {
  const auto newline = rest.find('\n');
  const std::string_view field = rest.substr(0, newline);
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  automation::crypto::Hs256JwtCodec codec;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto claims = codec.verify(rest, kSecret);
    if (claims) check_round_trip(codec, *claims);
    return 0;
  }
  std::int64_t times[2] = {0, 0};
  const std::size_t time_bytes = std::min(rest.size(), sizeof times);
  std::memcpy(times, rest.data(), time_bytes);
  rest.remove_prefix(time_bytes);
  automation::TptClaims claims;
  claims.iat = times[0];
  if (times[1] != 0) claims.exp = times[1];
  claims.role = std::string(next_field(rest));
  claims.created_on = std::string(next_field(rest));
  claims.jti = std::string(rest);
  check_round_trip(codec, claims);
  return 0;
}
