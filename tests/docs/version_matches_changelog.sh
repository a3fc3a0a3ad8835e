#!/usr/bin/env bash
# The project's version follows CHANGELOG.md: the newest released version there (the first
# "## [X.Y.Z]" heading; "Unreleased" is not a release) is what the binary reports and what the
# Debian package is named for (CPack's configuration in the build directory).
# Usage: version_matches_changelog.sh CHANGELOG AUTOMATION_BINARY BINARY_DIR
set -euo pipefail
changelog="$1" binary="$2" binary_dir="$3"
newest="$(sed -nE 's/^## \[([0-9]+\.[0-9]+\.[0-9]+)\].*/\1/p' "$changelog" | head -1)"
[[ -n "$newest" ]] || { echo "FAIL: no released version in $changelog" >&2; exit 1; }
reported="$("$binary" --version)"
[[ "$reported" == *"$newest"* ]] \
  || { echo "FAIL: automation --version says '$reported', CHANGELOG.md's newest is $newest" >&2; exit 1; }
grep -qF "set(CPACK_PACKAGE_VERSION \"$newest\")" "$binary_dir/CPackConfig.cmake" \
  || { echo "FAIL: the Debian package's version is not $newest ($binary_dir/CPackConfig.cmake)" >&2; exit 1; }
echo "ok: version $newest (CHANGELOG.md, automation --version, the Debian package)"
