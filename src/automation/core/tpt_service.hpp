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

  // Unknown role or non-positive/over-long expiry: kInvalidArgument. No authorization here.
  Result<TptCreated> create_tpt(const TptRequest& request, std::string_view created_by);
  // The role the token acts with, after checking alg (HS256 only), signature, exp and
  // revocation against the database. kUnauthenticated "Invalid token" otherwise.
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
