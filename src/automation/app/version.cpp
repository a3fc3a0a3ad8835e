#include "automation/app/version.hpp"

namespace automation {

const char* library_version() noexcept { return AUTOMATION_VERSION; }

}  // namespace automation
