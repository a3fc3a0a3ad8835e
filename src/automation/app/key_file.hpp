#pragma once

// Keys at rest (SPEC §8): a key named by a setting lives in a file nobody but its owner may
// read or write. Shared by the audit key and the signature signing key.

#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::app {

// The contents of the key file `path` that `setting` names, without trailing line breaks.
// kInvalidArgument naming the setting and the file when it cannot be read, is not a regular
// file, or is readable or writable by group or others.
Result<std::string> read_key_file(std::string_view setting, const std::string& path);

}  // namespace automation::app
