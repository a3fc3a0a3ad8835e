#pragma once

// The settings table rendered for people: the reference page (docs/configuration.md), the
// settings file the Debian package installs (packaging/automation.env) and the ENVIRONMENT
// section of the man page. All three are generated from setting_table(), so none of them can
// name a setting the service does not read or miss one it does.

#include <string>
#include <string_view>

#include "automation/config/loader.hpp"

namespace automation::config {

// docs/configuration.md: an introduction, then one table per section.
std::string markdown_reference();

// A settings file listing every setting commented out at its default, under its section and
// meaning; the keys in `set` appear uncommented with the given value instead.
std::string env_file(const Settings& set);

// The man page's ENVIRONMENT section body (roff, without the .SH line).
std::string roff_environment();

// Text made safe to place in roff (a man page): escapes '\\' and '-', and a leading '.' or '\''
// that roff would read as a request.
std::string roff_text(std::string_view text);

}  // namespace automation::config
