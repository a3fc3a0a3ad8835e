#pragma once

// What every fuzz target does when an invariant does not hold: say which, and abort, so that
// libFuzzer stops and keeps the input that broke it.

#include <cstdlib>

namespace automation::fuzzing {

[[noreturn]] inline void invariant_broken(const char* what) {
  __builtin_printf("invariant broken: %s\n", what);
  std::abort();
}

}  // namespace automation::fuzzing
