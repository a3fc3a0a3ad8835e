#!/usr/bin/env bash
# The OpenID Connect provider's throughput (issue 27), against ping in the same run:
# token issuance (POST /oidc/token with grant_type=authorization_code: each request redeems a
# code of its own, minted beforehand through GET /oidc/authorize with a signed-in browser
# session) and introspection (POST /oidc/introspect of one access token), with wrk --latency
# (keep-alive; 64 connections). Prints req/s, p99, the ratio to ping and the server's CPU time
# per request (user + system, all threads, from /proc), and the signing cost per token from
# `openssl speed` (an exchange signs two tokens: the ID token and the access token, RS256).
#
# Usage: bench/oidc.sh [path/to/automation]
# Environment: BENCH_DURATION (5s), BENCH_CONNECTIONS (64), BENCH_CODES (codes to mint,
#              default 8000: the exchange phase ends early when they run out).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
binary="${1:-$root/build/release/src/automation/cli/automation}"
duration="${BENCH_DURATION:-5s}"
connections="${BENCH_CONNECTIONS:-64}"
codes="${BENCH_CODES:-8000}"
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }

workdir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export AUTOMATION_SUPERUSER_PASSWORD="bench-system-password"
export AUTOMATION_OIDC_ENABLED=true
(cd "$workdir" && exec "$binary" serve --port "$port" --db-file "$workdir/bench.db") \
  >>"$workdir/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$workdir"' EXIT
bench_wait_ready "$base" "$server" "$workdir/server.log"
bench_user_key "$base" >/dev/null
client="$("$binary" oidc client add --db-file "$workdir/bench.db" --name bench \
  --redirect-uri http://bench.test/callback --json)"
client_id="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_id"])' "$client")"
client_secret="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_secret"])' "$client")"
# Codes, one per exchange, minted by a browser session of bench_user; and one access token.
python3 "$root/bench/oidc_codes.py" "$base" "$client_id" "$client_secret" "$codes" \
  "$workdir/codes.txt" "$workdir/access_token"

server_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
run() {  # run NAME [wrk arguments...]: "req/s p99 ticks"
  local name="$1" before
  shift
  before="$(server_ticks)"
  wrk -t1 -c"$connections" -d"$duration" --latency --timeout 30s "$@" >"$workdir/$name"
  echo "server_ticks $(($(server_ticks) - before))" >>"$workdir/$name"
}
basic="$(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)"
echo "wrk -t1 -c$connections -d$duration --latency, $(nproc) cores, load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg) at start"
run ping "$base/api/health/ping"
BENCH_CODES_FILE="$workdir/codes.txt" BENCH_BASIC="$basic" run exchange \
  -s "$root/bench/oidc_exchange.lua" "$base/oidc/token"
run introspect -s "$root/bench/oidc_introspect.lua" -H "Authorization: Basic $basic" \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  --header "X-Bench-Token: $(cat "$workdir/access_token")" "$base/oidc/introspect"
python3 - "$workdir" "$(getconf CLK_TCK)" <<'PY'
import re, sys
workdir, hz = sys.argv[1], int(sys.argv[2])
def figures(name):
    text = open(f"{workdir}/{name}").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", text).group(1)
    ticks = int(re.search(r"server_ticks (\d+)", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, p99, ticks * 1e6 / hz / max(total, 1), int(bad.group(1)) if bad else 0
ping = figures("ping")
print(f"{'phase':<22}{'req/s':>10}{'x ping':>9}{'p99':>10}{'CPU us/req':>12}{'non-2xx':>9}")
for name, label in (("ping", "ping"), ("exchange", "code exchange"), ("introspect", "introspection")):
    rps, p99, cpu, bad = figures(name)
    print(f"{label:<22}{rps:>10,.0f}{rps / ping[0]:>9.3f}{p99:>10}{cpu:>12.0f}{bad:>9}")
PY
# What signing costs here, from OpenSSL itself (one core).
openssl speed -seconds 1 rsa2048 ecdsap256 2>/dev/null |
  awk '/^rsa 2048/ {printf "RS256 sign: %.0f us per token (openssl speed)\n", 1e6 / $6}
       /256 bits ecdsa/ {printf "ES256 sign: %.0f us per token (openssl speed)\n", 1e6 / $7}'
