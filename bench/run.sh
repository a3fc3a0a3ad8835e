#!/usr/bin/env bash
# Side-by-side throughput of the baseline route (GET /api/health/ping) and an authenticated
# GET /api/users/<username> on one server, plus login req/s, with wrk (64 keep-alive
# connections, 10 s each by default). Prints the ratio the quality bar in SPEC §7 asks for.
# Usage: bench/run.sh [path/to/automation]   (default: build/release/src/automation/cli/automation)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
binary="${1:-$root/build/release/src/automation/cli/automation}"
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-64}"
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }

workdir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export AUTOMATION_SUPERUSER_PASSWORD="bench-system-password"
(cd "$workdir" && exec "$binary" serve --port "$port" --db-file "$workdir/bench.db") \
  >"$workdir/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$workdir"' EXIT
until curl -sf "$base/api/health/ping" >/dev/null; do
  kill -0 $server 2>/dev/null || { cat "$workdir/server.log"; exit 1; }
  sleep 0.1
done

user_key="$(bench_user_key "$base")"

echo "wrk -t2 -c$connections -d$duration (keep-alive), $(nproc) cores"
ping_rps="$(wrk -t2 -c"$connections" -d"$duration" "$base/api/health/ping" | tee /dev/stderr | rps)"
user_rps="$(wrk -t2 -c"$connections" -d"$duration" -H "X-API-KEY: $user_key" \
  "$base/api/users/bench_user" | tee /dev/stderr | rps)"
login_rps="$(BENCH_USER=bench_user BENCH_PASSWORD=bench-password-1 \
  wrk -t2 -c"$connections" -d"$duration" -s "$root/bench/login.lua" "$base/api/users/login" \
  | tee /dev/stderr | rps)"
python3 - "$ping_rps" "$user_rps" "$login_rps" <<'PY'
import sys
ping, user, login = map(float, sys.argv[1:])
print(f"\nGET /api/health/ping        {ping:10.0f} req/s (baseline)")
print(f"GET /api/users/<username>   {user:10.0f} req/s  ratio {user / ping:.2f} (bar: >= 0.70)")
print(f"POST /api/users/login       {login:10.0f} req/s")
PY
