#pragma once

#include <chrono>

#include "automation/core/ports.hpp"

namespace automation::app {

// The real wall clock (UTC seconds since the epoch).
class SystemClock final : public Clock {
 public:
  UnixSeconds now() override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace automation::app
