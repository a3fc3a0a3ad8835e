#pragma once

namespace automation {

// The version of the automation library an outside program runs against ("0.1.0").
const char* library_version() noexcept;

}  // namespace automation
