#pragma once

#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::storage {

// True when text can be stored and compared identically by every supported database:
// well-formed UTF-8 without NUL. PostgreSQL refuses NUL and invalid UTF-8 in text
// columns, and SQLite's string functions (lower(), used for case-insensitive
// uniqueness) are undefined on embedded NULs; so records keyed or compared by text
// refuse such input instead of letting one database store it and the other fail.
bool is_storable_text(std::string_view text) noexcept;

// kInvalidArgument naming `field` when text is not storable; otherwise success.
Status check_storable(std::string_view field, std::string_view text);

// text with every NUL and every byte of an invalid UTF-8 sequence replaced by U+FFFD.
// For records that must never be refused because of what a client sent (audit events,
// throttle keys): they keep a faithful, readable trace instead.
std::string sanitize_text(std::string_view text);

}  // namespace automation::storage
