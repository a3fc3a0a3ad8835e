#pragma once
// PLACEHOLDER (helper A's interface as specified); replaced by branch oidc-keys at merge.
#include <memory>
#include "automation/oidc/key_set.hpp"
namespace automation::oidc {
class OidcKeys {
 public:
  std::shared_ptr<const OidcKeySet> current() const;
};
}  // namespace automation::oidc
