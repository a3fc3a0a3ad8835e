#!/usr/bin/env bash
# Installs dependencies, builds the release preset and starts the server on the embedded
# default: the SQLite file app.db in the directory this script is run from (any directory:
# `cd ~/plant && ~/automation/scripts/run.sh` keeps the database in ~/plant), at
# http://127.0.0.1:8050. Extra arguments go to `automation serve` (see
# `automation serve --help`). AUTOMATION_PRESET=debug (or asan, ...) runs that preset's build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
preset="${AUTOMATION_PRESET:-release}"
"$root/scripts/install-deps.sh"
# CMake reads the presets from the current directory, so configure and build from the
# repository's root; the server then runs where the script was started.
(
  cd "$root"
  # A configured build directory is brought up to date by the build step itself.
  [[ -f "build/$preset/build.ninja" ]] || cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)" --target automation
)
exec "$root/build/$preset/src/automation/cli/automation" serve "$@"
