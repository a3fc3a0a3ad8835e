#pragma once

// Keys kept in files outside the database (the audit chain's, the MFA secrets', the signature
// signing key), read with one set of rules (SPEC §8 "Keys at rest"): config/secret_file's, and
// at least 32 bytes.

#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::app {

// The key in the file at `path`, named `setting` in messages: a regular file, not readable or
// writable by group or others (refused otherwise: chmod 600), of at least 32 bytes; a
// trailing newline is not part of the key. kInvalidArgument saying what is wrong.
Result<std::string> read_key_file(std::string_view setting, const std::string& path);

}  // namespace automation::app
