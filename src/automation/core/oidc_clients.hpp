#pragma once
// PLACEHOLDER (helper B's interface as specified); replaced by branch oidc-store at merge.
#include <optional>
#include <string_view>
#include "automation/core/error.hpp"
#include "automation/core/oidc_model.hpp"
namespace automation {
class OidcClientRegistry {
 public:
  Result<OidcClient> authenticate_client(std::string_view client_id,
                                         std::optional<std::string_view> presented_secret,
                                         std::string_view client_address);
};
}  // namespace automation
