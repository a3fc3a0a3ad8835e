#pragma once

// Secrets kept in files named by settings (the audit and MFA keys through app/key_file, the
// directory's bind password):
// one rule for all of them.

#include <string>

#include "automation/core/error.hpp"

namespace automation::config {

// The contents of `path` without trailing newlines; kInvalidArgument naming `setting` when
// it is not a regular file, cannot be read, or group or others may read or write it.
Result<std::string> read_secret_file(const std::string& setting, const std::string& path);

}  // namespace automation::config
