#pragma once

// Forward authentication (reverse proxies' auth_request / ForwardAuth / forward_auth): the
// identity behind a proxied request's credential, told to the proxy as plain facts plus a
// short-lived token the protected backend checks on its own. The token is an HS256 JWT signed
// with the third-party-token secret, so upstream PyAutomation's verify_tpt
// (`jwt.decode(token, secret, algorithms=["HS256"])`) accepts it as it accepts a TPT.
//
// The credential was resolved already (AuthorizedApi::authenticate, like on every route); this
// only applies the proxy's minimum level and mints. Nothing is stored: a token is worth its
// short lifetime only, and a revoked session or token stops getting new ones at its next check.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"
#include "automation/core/ports.hpp"

namespace automation {

// The claims of a forwarded-identity token.
struct ForwardClaims {
  std::string subject;  // the username, or "tpt:<jti>" for a third-party token
  std::string role;
  int role_level = 0;
  UnixSeconds issued_at = 0;
  UnixSeconds expires_at = 0;
  std::string jti;  // unique per token (see ForwardAuth)
};

// Signs forwarded-identity tokens; the implementation holds the secret.
class ForwardTokenSigner {
 public:
  virtual ~ForwardTokenSigner() = default;
  // Claims sub and username (both the subject), role, role_level, iat, exp, jti.
  virtual Result<std::string> sign(const ForwardClaims& claims) = 0;
};

// What a proxy learns about the caller (each becomes an X-Automation-* header).
struct ForwardIdentity {
  std::string user;        // the username, or "tpt:<jti>"
  std::string role;
  int role_level = 0;
  std::string email;       // "" for a third-party token
  std::string session_id;  // the session's public id (never its key); "" for a token
  std::string token;       // the minted JWT
  UnixSeconds expires_at = 0;
};

class ForwardAuth {
 public:
  struct Ports {
    ForwardTokenSigner& signer;
    RandomSource& random;
    Clock& clock;
  };
  // `token_ttl_seconds` >= 1: how long a minted token is valid (AUTOMATION_FORWARD_TOKEN_TTL).
  // Draws the process's jti prefix from `ports.random`.
  ForwardAuth(const Ports& ports, UnixSeconds token_ttl_seconds);

  // How far iat is set back from now: PyJWT refuses a token issued "in the future" (iat
  // after its clock), so a backend whose clock runs behind ours by up to this still accepts
  // it. exp is counted from now.
  static constexpr UnixSeconds kIssuedAtSkew = 30;

  // The identity of `principal` with a fresh token. When `required_level` is set and the
  // principal's role is less privileged (policy::decide_required_level): kPermissionDenied.
  // A session of any role, sudo included, gets a token of its own role: the identity is
  // local (a password checked here; sudo accounts exist only through the command line), and
  // this service never accepts such a token back as a key (it is no TPT of its records).
  Result<ForwardIdentity> identify(const Principal& principal,
                                   std::optional<int> required_level);

 private:
  // A token's jti: 64 random bits drawn once per process, then a counter (32 hex digits in
  // all). Unique without coordination between processes, and without a random draw (a
  // system call) per token: the jti identifies a token, the signature protects it.
  std::string next_jti();

  Ports ports_;
  UnixSeconds ttl_;
  const std::string jti_prefix_;
  std::atomic<std::uint64_t> issued_{0};
};

}  // namespace automation
