#include "automation/core/forward_auth.hpp"

#include <utility>

#include "automation/core/policy.hpp"

namespace automation {
namespace {

constexpr std::size_t kJtiPrefixBytes = 8;

}  // namespace

ForwardAuth::ForwardAuth(const Ports& ports, UnixSeconds token_ttl_seconds)
    : ports_(ports),
      ttl_(token_ttl_seconds),
      jti_prefix_(ports.random.random_hex(kJtiPrefixBytes)) {}

std::string ForwardAuth::next_jti() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t count = issued_.fetch_add(1, std::memory_order_relaxed);
  std::string jti = jti_prefix_;
  jti.resize(jti_prefix_.size() + 16);
  for (std::size_t i = jti.size(); i > jti_prefix_.size(); --i) {
    jti[i - 1] = kHex[count & 0xf];
    count >>= 4;
  }
  return jti;
}

Result<ForwardIdentity> ForwardAuth::identify(const Principal& principal,
                                              std::optional<int> required_level) {
  const bool is_token = principal.kind == Principal::Kind::kThirdPartyToken;
  if (required_level) {
    const policy::Actor actor{principal.role.name, principal.role.level, is_token,
                              principal.user ? std::string_view(principal.user->username)
                                             : std::string_view()};
    if (auto decision = policy::decide_required_level(actor, *required_level); !decision.allowed) {
      return fail(decision.status().error());
    }
  }
  ForwardIdentity identity;
  identity.user = principal.audit_name();
  identity.role = principal.role.name;
  identity.role_level = principal.role.level;
  if (principal.user) identity.email = principal.user->email;
  identity.session_id = principal.session_id;

  const UnixSeconds now = ports_.clock.now();
  ForwardClaims claims{identity.user, identity.role, identity.role_level, now - kIssuedAtSkew,
                       now + ttl_, next_jti()};
  auto token = ports_.signer.sign(claims);
  if (!token) return fail(std::move(token.error()));
  identity.token = std::move(*token);
  identity.expires_at = claims.expires_at;
  return identity;
}

}  // namespace automation
