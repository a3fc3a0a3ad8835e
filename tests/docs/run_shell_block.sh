#!/usr/bin/env bash
# Runs a shell block of the documentation against the real server, as a reader would.
# Usage: run_shell_block.sh AUTOMATION_BINARY MARKDOWN_FILE [--expect REGEX]...
# The block is the first ```sh fence after the line "<!-- tested: tests/docs/run_shell_block.sh"
# in MARKDOWN_FILE. Its first line must set the base URL (API=http://127.0.0.1:8050/api); it is
# pointed at a fresh server (a free loopback port, a new SQLite file in a temporary directory)
# and the block runs under `bash -eu -o pipefail` with the system user's password on its
# standard input. The test fails when a command fails, when an --expect regular expression
# (grep -E) matches no line of its output, when the server does not stop cleanly, or when the
# server's log shows the password.
set -euo pipefail
binary="$1"
markdown="$2"
shift 2
expects=()
while (($#)); do
  [[ "$1" == --expect && $# -ge 2 ]] || { echo "usage: $0 BINARY FILE [--expect REGEX]..." >&2; exit 2; }
  expects+=("$2")
  shift 2
done

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL ($markdown): $*" >&2
  for f in block.sh block.out server.log; do
    [[ -f "$work/$f" ]] && { echo "--- $f" >&2; cat "$work/$f" >&2; }
  done
  exit 1
}

# The block: from the marker to the end of the first ```sh fence after it.
awk '/^<!-- tested: tests\/docs\/run_shell_block.sh/ { marked = 1; next }
     marked && !inside && /^```sh[[:space:]]*$/ { inside = 1; next }
     inside && /^```[[:space:]]*$/ { exit }
     inside { print }' "$markdown" > "$work/block.sh"
[[ -s "$work/block.sh" ]] || fail "no marked \`\`\`sh block"
default_url='http://127.0.0.1:8050'
head -1 "$work/block.sh" | grep -qE "^API=$default_url/api\$" \
  || fail "the block must start with API=$default_url/api"
tail -n +2 "$work/block.sh" | grep -q ':8050' && fail "only the first line may name the port"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
password="Docs-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
sed -i "1s#$default_url#http://127.0.0.1:$port#" "$work/block.sh"

# Cheap hashing keeps the test to seconds; the rest is the defaults a reader gets.
(cd "$work" && exec env AUTOMATION_DB_FILE="$work/app.db" AUTOMATION_SUPERUSER_PASSWORD="$password" \
   AUTOMATION_ARGON2_MEMORY_KIB=64 AUTOMATION_ARGON2_ITERATIONS=1 \
   "$binary" serve --host 127.0.0.1 --port "$port" > "$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 300); do
  # Its own start line too: a server of another test that took the port would answer the ping.
  curl -fsS "http://127.0.0.1:$port/api/health/ping" > /dev/null 2>&1 &&
    grep -q ":$port database=" "$work/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited at start"
  sleep 0.1  # poll interval of the readiness check
done
curl -fsS "http://127.0.0.1:$port/api/health/ping" > /dev/null || fail "the server did not answer"

(cd "$work" && printf '%s\n' "$password" | bash -eu -o pipefail block.sh > block.out 2>&1) \
  || fail "a command of the block failed"
for expect in "${expects[@]}"; do
  grep -qE -- "$expect" "$work/block.out" || fail "no line of the output matches: $expect"
done

kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[[ "$status" -eq 0 ]] || fail "the server stopped with exit code $status"
grep -qF -- "$password" "$work/server.log" && fail "the server's log shows the password"
echo "ok: the block of $markdown ran ($(wc -l < "$work/block.sh") lines)"
cat "$work/block.out"
