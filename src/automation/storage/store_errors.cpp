#include "automation/storage/store_errors.hpp"

namespace automation::storage {

Error already_exists(std::string_view field, std::string message) {
  Error error = Error::make(ErrorCode::kAlreadyExists, std::move(message));
  error.fields.emplace(std::string(field), "already exists");
  return error;
}

bool is_unattributed_duplicate(const Error& error) noexcept {
  return error.code == ErrorCode::kAlreadyExists && error.fields.empty();
}

}  // namespace automation::storage
