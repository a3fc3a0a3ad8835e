#!/usr/bin/env bash
# Builds and runs the whole test suite (unit, contract, integration) in the given CMake
# presets; default: release, asan (address + undefined sanitizers) and fuzz (every libFuzzer
# target for FUZZ_SECONDS, default 15, each: scripts/fuzz.sh).
# Usage: scripts/test.sh [preset...]
set -euo pipefail
cd "$(dirname "$0")/.."

# Idempotent and quick when everything is present; lets this command work on its own.
scripts/install-deps.sh

presets=("$@")
if ((${#presets[@]} == 0)); then presets=(release asan fuzz); fi
jobs="$(nproc)"

for preset in "${presets[@]}"; do
  echo "=== ${preset}: configure, build, test ==="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  if [[ "$preset" == fuzz ]]; then
    scripts/fuzz.sh "${FUZZ_SECONDS:-15}"
  else
    ctest --preset "$preset" -j "$jobs" --timeout 300
  fi
done
