#pragma once

// Internal to the translation units that implement AuthorizedApi (authorized_api*.cpp): the
// definition of its `audited` template and the helper it uses.

#include <type_traits>

#include "automation/core/audited_change.hpp"
#include "automation/core/authorized_api.hpp"
#include "automation/core/users_core.hpp"

namespace automation {

// The outcome of a Result without its value.
template <typename T>
Status status_of(const Result<T>& result) {
  if (result) return {};
  return std::unexpected(result.error());
}
inline Status status_of(const Status& status) { return status; }

template <typename Change>
auto AuthorizedApi::audited(const Caller& caller, std::string_view event,
                            std::string_view target, const bool& hidden, Change&& change)
    -> std::invoke_result_t<Change&> {
  return core_.audited().run(change, [&](const auto& result) {
    return audit_record(caller, event, target, status_of(result), hidden);
  });
}

}  // namespace automation
