#!/usr/bin/env bash
# Every throughput figure of SPEC §7 on one server, in one run, with wrk --latency (keep-alive;
# 64 connections, 10 s each by default): GET /api/health/ping (the baseline), an authenticated
# GET /api/users/<username> (one hot key), forward authentication (GET /api/auth/verify, which
# mints a token per request), the whole user list, a page of 20 (first and last page), cold
# key checks (each seeded session's key used once, GET /api/users/me), the server's
# resident memory after that load, and POST /api/users/login. Prints req/s, p99 and the ratio
# to ping of each, as the median over the rounds (ping is measured in every round, alternating
# with the other routes, because other work on a shared machine moves every figure).
#
# Usage: bench/run.sh [--users N] [--rounds R] [--restart] [path/to/automation]
#   --users N   seed N users and N live sessions into the database first (default 0: only the
#               bench user and `system`); the cold-key phase needs N > 0. They are written
#               while the server runs, by another program: the server hears of them through
#               the change feed and loads them before their first use
#   --rounds R  repeat the alternating phases R times (default 1)
#   --restart   restart the server after seeding: the sessions then exist before it starts,
#               as after a node restart (it loads them at start)
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_THREADS (wrk threads, 1),
#              BENCH_KEEP=dir (keep wrk's raw output there).
# Besides req/s, p99 and the ratio, it prints the server CPU time per request (user + system,
# all threads, from /proc): on a shared machine that moves far less than req/s.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
users=0
rounds=1
restart=0
binary="$root/build/release/src/automation/cli/automation"
while (($#)); do
  case "$1" in
    --users) users="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --restart) restart=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) binary="$1"; shift ;;
  esac
done
[[ "$users" =~ ^[0-9]+$ && "$rounds" =~ ^[1-9][0-9]*$ ]] ||
  { echo "bench: --users takes a count >= 0 and --rounds a count >= 1"; exit 2; }
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-64}"
threads="${BENCH_THREADS:-1}"
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }

workdir="$(mktemp -d)"
out="${BENCH_KEEP:-$workdir/wrk}"
mkdir -p "$out"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export AUTOMATION_SUPERUSER_PASSWORD="bench-system-password"
start_server() {
  (cd "$workdir" && exec "$binary" serve --port "$port" --db-file "$workdir/bench.db") \
    >>"$workdir/server.log" 2>&1 &
  server=$!
  bench_wait_ready "$base" "$server" "$workdir/server.log"
}
start_server
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$workdir"' EXIT

user_key="$(bench_user_key "$base")"
if ((users > 0)); then
  seed_start=$SECONDS
  python3 "$root/bench/seed.py" "$workdir/bench.db" "$users" "$workdir/keys.txt"
  echo "seeded $users users and $users sessions in $((SECONDS - seed_start)) s"
  if ((restart)); then
    kill -TERM $server
    wait $server || true
    start_server
    # (Builds before the start-up load print nothing here.)
    { grep -h "stored sessions" "$workdir/server.log" || true; } | tail -1 |
      sed 's/^.* info /restarted: /'
  fi
fi
listed="$(curl -sf -H "X-API-KEY: $user_key" "$base/api/users/?page=1&limit=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["pagination"]["total_records"])')"
# The last full page of 20 (the very last one may hold a single user).
last_page=$((listed >= 20 ? listed / 20 : 1))

# Requests wrk left behind (slow whole-list answers) would still be running in the next phase:
# wait until ping answers within 20 ms again.
settle() {
  for _ in $(seq 600); do
    curl -s -o /dev/null -w '%{time_total}' "$base/api/health/ping" |
      awk '{exit !($1 < 0.02)}' && return
    sleep 0.1
  done
}
# CPU time the server has used so far, in clock ticks: per request, a figure that other work
# on a shared machine moves much less than req/s.
server_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
wrk_run() {  # wrk_run NAME [wrk arguments...]: raw output to $out/NAME
  local name="$1" before
  shift
  before="$(server_ticks)"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency --timeout 30s "$@" >"$out/$name"
  settle
  echo "server_ticks: $(($(server_ticks) - before)) of $(getconf CLK_TCK)" >>"$out/$name"
}
echo "wrk -t$threads -c$connections -d$duration --latency, $(nproc) cores, load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg) at start; $listed users listed, $rounds round(s)"
for ((round = 1; round <= rounds; round++)); do
  wrk_run "ping.$round" "$base/api/health/ping"
  wrk_run "hot.$round" -H "X-API-KEY: $user_key" "$base/api/users/bench_user"
  wrk_run "verify.$round" -H "X-API-KEY: $user_key" "$base/api/auth/verify"
  wrk_run "ping.$round.b" "$base/api/health/ping"
  wrk_run "page_first.$round" -H "X-API-KEY: $user_key" "$base/api/users/?page=1&limit=20"
  wrk_run "page_last.$round" -H "X-API-KEY: $user_key" \
    "$base/api/users/?page=$last_page&limit=20"
  wrk_run "list.$round" -H "X-API-KEY: $user_key" "$base/api/users/"
done
if ((users > 0)); then
  # One wrk thread: the script walks the key file once per thread.
  before="$(server_ticks)"
  BENCH_KEYS_FILE="$workdir/keys.txt" BENCH_CONNECTIONS="$connections" \
    BENCH_COLD_DONE="$workdir/cold.done" wrk -t1 -c"$connections" -d600s --latency \
    --timeout 30s -s "$root/bench/cold_keys.lua" "$base/api/users/me" >"$out/cold" &
  cold_wrk=$!
  # wrk sleeps out its whole -d even after the script stopped its thread: interrupt it then.
  while kill -0 $cold_wrk 2>/dev/null && [[ ! -e "$workdir/cold.done" ]]; do sleep 0.2; done
  kill -INT $cold_wrk 2>/dev/null || true
  wait $cold_wrk || true
  settle
  echo "server_ticks: $(($(server_ticks) - before)) of $(getconf CLK_TCK)" >>"$out/cold"
fi
grep -E '^(VmRSS|VmHWM|RssAnon|RssFile)' "/proc/$server/status" >"$out/memory"
grep -E '^Pss:' "/proc/$server/smaps_rollup" >>"$out/memory" 2>/dev/null || true
BENCH_USER=bench_user BENCH_PASSWORD=bench-password-1 wrk_run login -s "$root/bench/login.lua" \
  "$base/api/users/login"
python3 "$root/bench/report.py" "$out" "$rounds"
