#!/usr/bin/env bash
# automation(1) renders with man-db and groff without a warning, and carries what a reader
# looks for: the commands, their options, every setting, the exit codes.
# Usage: manual_page_renders.sh PAGE.1.gz BINARY
set -euo pipefail
page="$1"
binary="$2"
if ! command -v man >/dev/null; then
  [[ "${CI:-}" == "true" ]] && { echo "man is not installed (man-db)" >&2; exit 1; }
  echo "SKIPPED: man is not installed (man-db)"; exit 77
fi
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
text=$(MANWIDTH=100 man --warnings -l "$page" 2>"$errors")
if [[ -s "$errors" ]]; then
  echo "man -l printed warnings:" >&2; cat "$errors" >&2; exit 1
fi
for expected in "NAME" "SYNOPSIS" "GLOBAL OPTIONS" "COMMANDS" "ENVIRONMENT" "EXIT STATUS" \
                "automation user create" "automation serve" "automation config check" \
                "--db-file" "--tls-cert-file"; do
  grep -qF -- "$expected" <<<"$text" || { echo "missing from the page: $expected" >&2; exit 1; }
done
# Every setting the binary knows is in the page.
while IFS=$'\t' read -r key _; do
  grep -qF -- "$key" <<<"$text" || { echo "setting missing from the page: $key" >&2; exit 1; }
done < <("$binary" config list)
echo "automation(1) renders: $(wc -l <<<"$text") lines"
