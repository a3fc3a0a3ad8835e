#!/usr/bin/env bash
# What multi-factor authentication adds to a login (docs/mfa.md: "one KDF plus microseconds"):
# starts a server with the default Argon2id cost on a fresh SQLite database and runs
# bench/mfa_login.py against it (latency of single requests, codes from oathtool).
# Usage: bench/mfa_login.sh [--users N] [path/to/automation]   (default 40 MFA users)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
users=40
binary="$root/build/release/src/automation/cli/automation"
while (($#)); do
  case "$1" in
    --users) users="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) binary="$1"; shift ;;
  esac
done
command -v oathtool >/dev/null || { echo "bench: oathtool is not installed"; exit 1; }
workdir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export AUTOMATION_SUPERUSER_PASSWORD="bench-system-password"
(cd "$workdir" && exec "$binary" serve --port "$port" --db-file "$workdir/bench.db" \
  --threads 2) >>"$workdir/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$workdir"' EXIT
until curl -sf "$base/api/health/ping" >/dev/null; do
  kill -0 $server 2>/dev/null || { cat "$workdir/server.log"; exit 1; }
  sleep 0.1
done
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; Argon2id default cost"
python3 "$root/bench/mfa_login.py" "$base" "$AUTOMATION_SUPERUSER_PASSWORD" "$users" "$server"
