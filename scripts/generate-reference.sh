#!/usr/bin/env bash
# Regenerates the files made from the settings table (src/automation/config/setting_table.cpp):
# docs/configuration.md and packaging/automation.env. Run it after adding or changing a
# setting; the config unit tests fail while the committed files differ from the table.
# Usage: scripts/generate-reference.sh [path/to/automation]   (default: the release build's)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-build/release/src/automation/cli/automation}"
if [[ ! -x "$binary" ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target automation >/dev/null
fi
"$binary" config list --format markdown >docs/configuration.md
"$binary" config list --format env --set AUTOMATION_DB_FILE=/var/lib/automation/app.db \
  >packaging/automation.env
echo "generate-reference: wrote docs/configuration.md and packaging/automation.env"
