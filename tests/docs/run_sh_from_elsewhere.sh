#!/usr/bin/env bash
# scripts/run.sh started from a directory outside the repository (as in
# `cd ~/plant && ~/automation/scripts/run.sh`): it must configure and build from the
# repository's root (CMake reads presets from the current directory) and serve with app.db in
# the directory it was started from. Reuses the preset's existing build (a no-op build).
# Usage: run_sh_from_elsewhere.sh SOURCE_DIR BINARY_DIR   (exit 77: skipped)
set -euo pipefail
source_dir="$(cd "$1" && pwd)"
binary_dir="$(cd "$2" && pwd)"
preset="$(basename "$binary_dir")"
if [[ "$binary_dir" != "$source_dir/build/$preset" ]]; then
  echo "skipped: $binary_dir is not a preset's build directory of $source_dir"
  exit 77
fi

plant="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$plant"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [[ -f "$plant/run.log" ]] && cat "$plant/run.log" >&2
  exit 1
}

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cd "$plant"
AUTOMATION_PRESET="$preset" AUTOMATION_SUPERUSER_PASSWORD="Run-Sh-Passw0rd-long" \
  "$source_dir/scripts/run.sh" --port "$port" > run.log 2>&1 &
server_pid=$!
# Installing nothing and building nothing takes a few seconds; then the server starts.
for _ in $(seq 1 1200); do
  # Its own start line too: a server of another test that took the port would answer the ping.
  curl -fsS "http://127.0.0.1:$port/api/health/ping" > /dev/null 2>&1 &&
    grep -q ":$port database=" "$plant/run.log" && break
  kill -0 "$server_pid" 2>/dev/null || fail "scripts/run.sh exited"
  sleep 0.1  # poll interval of the readiness check
done
curl -fsS "http://127.0.0.1:$port/api/health/ping" | grep -q pong || fail "no server answered"
[[ -f "$plant/app.db" ]] || fail "app.db is not in the directory run.sh was started from"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[[ "$status" -eq 0 ]] || fail "the server stopped with exit code $status"
echo "ok: scripts/run.sh served from $plant with $preset's build"
