#!/usr/bin/env bash
# Installs dependencies, builds the release preset and starts the server on the embedded
# default (SQLite file app.db in the current directory, http://127.0.0.1:8050).
# Extra arguments go to `automation serve` (see `automation serve --help`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
cmake --preset release -S "$root" >/dev/null
cmake --build --preset release -j "$(nproc)" --target automation
exec "$root/build/release/src/automation/cli/automation" serve "$@"
