#pragma once
// PLACEHOLDER (helper A's interface as specified); replaced by branch oidc-keys at merge.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>
#include "automation/core/error.hpp"
namespace automation::oidc {
class OidcKeySet {
 public:
  Result<std::string> sign(const nlohmann::json& claims, std::string_view typ = "JWT",
                           std::string_view alg = "RS256") const;
  Result<nlohmann::json> verify(std::string_view token) const;
  nlohmann::json jwks() const;
  std::vector<std::string> signing_algorithms() const;
};
}  // namespace automation::oidc
