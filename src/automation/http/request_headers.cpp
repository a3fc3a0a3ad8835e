#include "automation/http/request_headers.hpp"

#include "automation/core/text.hpp"

namespace automation::http {

std::optional<std::string_view> RequestHeaders::find(std::string_view name) const {
  if (lookup_ != nullptr) {
    if (auto value = lookup_(source_, name)) return value;
  }
  for (const auto& [field, value] : own_) {
    if (iequals_ascii(field, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace automation::http
