#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "automation/core/ports.hpp"
#include "automation/core/requests.hpp"
#include "automation/core/role_service.hpp"

namespace automation {

// Third-party tokens: HS256 JWTs acting with a role (SPEC §2). The token is returned once
// at creation; the database keeps only its metadata (jti, role, expiry, revoked flag).
class TptService {
 public:
  struct Ports {
    TptStore& store;
    RoleService& roles;
    JwtCodec& jwt;
    RandomSource& random;
    Clock& clock;
  };
  TptService(const Ports& ports, std::string secret);

  // A verified token: the role it acts with and its id (the name it is audited under).
  struct Verified {
    Role role;
    std::string jti;
  };

  // Unknown role, the sudo role (policy::decide_tpt_role) or non-positive/over-long expiry:
  // kInvalidArgument. Who may create tokens is the caller's business.
  Result<TptCreated> create_tpt(const TptRequest& request, std::string_view created_by);
  // Checks alg (HS256 only), signature, exp, the stored record (exists, not revoked, same
  // role as the token claims) and that the role is not sudo.
  // kUnauthenticated "Invalid token" otherwise.
  Result<Verified> verify(std::string_view token);
  // verify()'s role, PyAutomation's facade operation.
  Result<Role> verify_tpt(std::string_view token);
  Result<std::vector<TptRecord>> list_tpts();
  Status revoke_tpt(std::string_view jti);

 private:
  Ports ports_;
  std::string secret_;
};

// The HS256 secret: the configured one (must be >= 32 bytes), or else the one kept in the
// database, generated (256 random bits) by whichever process starts first.
struct TptSecret {
  std::string value;
  bool from_database = false;
};
Result<TptSecret> resolve_tpt_secret(SettingsStore& settings, RandomSource& random,
                                     const std::optional<std::string>& configured);

}  // namespace automation
