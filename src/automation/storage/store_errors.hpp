#pragma once

// Internal to the storage layer: the error values the stores build themselves.

#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::storage {

// kAlreadyExists with fields[field] set, so callers can name the taken field (409).
Error already_exists(std::string_view field, std::string message);

// True for a kAlreadyExists that does not yet say which field: a unique violation
// reported by the driver, as opposed to one a store detected and named itself.
bool is_unattributed_duplicate(const Error& error) noexcept;

}  // namespace automation::storage
