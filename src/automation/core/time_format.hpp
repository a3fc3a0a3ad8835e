#pragma once

#include <string>

#include "automation/core/model.hpp"

namespace automation {

// UTC "YYYY-MM-DD HH:MM:SS", the form of a TPT's created_on / expires_on (PyAutomation's).
std::string format_utc(UnixSeconds time);

}  // namespace automation
