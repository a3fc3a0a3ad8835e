#!/usr/bin/env bash
# Password work against everything else (SPEC §7; issue 19, item 2), on one server:
# 1. key checks (GET /api/users/bench_user) unloaded and while another wrk -c64 of logins
#    keeps every hashing thread busy: p99 of each and their ratio (SPEC: <= 2x). The key checks
#    come at a steady rate the server has room for (32 connections, one request per
#    BENCH_PACE_MS=2 ms each: ~12,000/s, a fifth of what it can answer), as an HMI's polling
#    does. They are measured in BENCH_WINDOWS=4 pairs of windows (BENCH_WINDOW=5s each),
#    unloaded and under logins interleaved (the order flips every pair), so both halves see
#    the same host: on a shared machine the host's own noise moves a p99 by 2x within seconds.
#    The ratio is the loaded windows' median p99 over the unloaded windows' median p99; every
#    window's p99 is printed too, with the machine's floor for that ratio (one window next to
#    two busy loops at idle CPU priority instead of logins) and the TLB shootdowns the kernel
#    sent per second during logins (each interrupts the cores the key checks run on; the
#    server's heap keeps freed memory for that: app/heap_tuning.hpp). The same ratio for a
#    client that asks as fast as it is answered (wrk -c64, BENCH_DURATION each) is shown beside
#    the machine's floor for it: that client's p99 next to two busy loops at idle CPU priority
#    instead of logins (on two cores any other work at all moves that p99). Hashes run at idle
#    CPU priority (crypto/idle_hash_thread.hpp);
# 2. an anonymous sign-up flood (wrk, BENCH_FLOOD_CONNECTIONS=120 connections, each request
#    a new name from another client address, for BENCH_FLOOD_DURATION=8s) while a real user
#    logs in one request after another: how many of those logins succeed, and their p99
#    (bar: all of them, p99 under 1 s), beside the same logins without a flood just before
#    (on a shared machine the baseline says what one hash costs right now).
# Usage: bench/password_load.sh [--rounds R] [path/to/automation]
# Environment: BENCH_WINDOWS (4), BENCH_WINDOW (5s), BENCH_DURATION (10s), BENCH_CONNECTIONS
#              (64), BENCH_FLOOD_CONNECTIONS (120), BENCH_FLOOD_DURATION (8s),
#              BENCH_FLOOD_ONE_ADDRESS=1 (the flood from one address, as the review ran it,
#              instead of a new address per request).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
rounds=1
binary="$root/build/release/src/automation/cli/automation"
while (($#)); do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) binary="$1"; shift ;;
  esac
done
duration="${BENCH_DURATION:-10s}"
windows="${BENCH_WINDOWS:-4}"
window="${BENCH_WINDOW:-5s}"
connections="${BENCH_CONNECTIONS:-64}"
flood_connections="${BENCH_FLOOD_CONNECTIONS:-120}"
flood_duration="${BENCH_FLOOD_DURATION:-8s}"
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }

workdir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export AUTOMATION_SUPERUSER_PASSWORD="bench-system-password"
(cd "$workdir" && AUTOMATION_TRUSTED_PROXIES=127.0.0.1 exec "$binary" serve --port "$port" \
  --db-file "$workdir/bench.db") >>"$workdir/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$workdir"' EXIT
bench_wait_ready "$base" "$server" "$workdir/server.log"
user_key="$(bench_user_key "$base")"

# p99 of a wrk --latency output, in ms.
p99_ms() {
  awk '$1 == "99%" { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
        f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1;
        printf "%.2f", v * f }' "$1"
}
real_logins() {  # real_logins PID LABEL: one login after another while PID runs
  python3 - "$base" "$1" "$2" <<'PY'
import json, os, sys, time, urllib.error, urllib.request
base, flood, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
body = json.dumps({"username": "bench_user", "password": "bench-password-1"}).encode()
times, statuses = [], {}
def flooding():
    try:
        os.kill(flood, 0)
        return True
    except OSError:
        return False
while flooding():
    request = urllib.request.Request(base + "/api/users/login", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    times.append(time.monotonic() - started)
    statuses[status] = statuses.get(status, 0) + 1
times.sort()
p99 = times[min(len(times) - 1, int(0.99 * len(times)))] if times else float("nan")
print(f"{label}: real user's logins {statuses.get(200, 0)} of {len(times)} succeeded "
      f"(statuses {dict(sorted(statuses.items()))}), p99 {p99 * 1000:.0f} ms, "
      f"max {max(times) * 1000:.0f} ms")
PY
}
# The logins wrk left queued are still hashed after it stops: wait until a login is quick.
settle() {
  for _ in $(seq 120); do
    curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' \
      -d '{"username":"bench_user","password":"bench-password-1"}' "$base/api/users/login" |
      awk '{exit !($1 < 1.5)}' && return
  done
}
# gets OUTFILE [paced]: key-checked GETs, paced for $window or as fast as answered for $duration.
gets() {
  local pacing=()
  if [[ "${2:-}" == paced ]]; then
    pacing=(-c32 -s "$root/bench/paced.lua" -d"$window")
  else
    pacing=(-c"$connections" -d"$duration")
  fi
  wrk -t1 "${pacing[@]}" --latency -H "X-API-KEY: $user_key" "$base/api/users/bench_user" >"$1"
}
divide() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ratio() { divide "$(p99_ms "$1")" "$(p99_ms "$2")"; }  # ratio LOADED UNLOADED: of their p99
# gets_beside_logins OUTFILE [paced]: the GETs while wrk -c64 logs in as fast as it can
# (from a second before the GETs start until a second after they end).
gets_beside_logins() {
  local span="$duration"
  [[ "${2:-}" == paced ]] && span="$window"
  BENCH_USER=bench_user BENCH_PASSWORD=bench-password-1 wrk -t1 -c"$connections" \
    -d"$((${span%s} + 2))s" --timeout 30s -s "$root/bench/login.lua" "$base/api/users/login" \
    >"$1.logins" &
  local login_client=$!
  sleep 1  # the hashing threads are saturated before the GETs start
  gets "$@"
  wait $login_client
  settle
}
# gets_beside_idle_loops OUTFILE [paced]: the GETs next to two busy loops at idle CPU priority.
gets_beside_idle_loops() {
  local loops=()
  for _ in 1 2; do chrt --idle 0 sh -c 'while :; do :; done' & loops+=($!); done
  gets "$@"
  kill "${loops[@]}"; wait "${loops[@]}" 2>/dev/null || true
}
tlb_shootdowns() {  # since boot, all cores
  awk '/TLB/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i } END { print n + 0 }' \
    /proc/interrupts
}
median() {  # of the numbers on stdin, one per line
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# loaded_window W: paced GETs beside logins; adds the TLB shootdowns and seconds it took to
# shootdowns and loaded_seconds.
loaded_window() {
  local interrupts_before started
  interrupts_before="$(tlb_shootdowns)"
  started="$(date +%s.%N)"
  gets_beside_logins "$workdir/paced_loaded_$1" paced
  shootdowns=$((shootdowns + $(tlb_shootdowns) - interrupts_before))
  loaded_seconds="$(awk -v total="$loaded_seconds" -v from="$started" -v to="$(date +%s.%N)" \
    'BEGIN { print total + to - from }')"
}
# paced_windows ROUND: the bar's measurement, in interleaved unloaded/loaded windows.
paced_windows() {
  local w unloaded=() loaded=() logins=()
  shootdowns=0 loaded_seconds=0
  for ((w = 1; w <= windows; w++)); do
    if ((w % 2)); then
      gets "$workdir/paced_unloaded_$w" paced
      loaded_window "$w"
    else
      loaded_window "$w"
      gets "$workdir/paced_unloaded_$w" paced
    fi
    unloaded+=("$(p99_ms "$workdir/paced_unloaded_$w")")
    loaded+=("$(p99_ms "$workdir/paced_loaded_$w")")
    logins+=("$(rps <"$workdir/paced_loaded_$w.logins")")
  done
  gets_beside_idle_loops "$workdir/paced_idle_loops" paced
  local u l
  u="$(printf '%s\n' "${unloaded[@]}" | median)"
  l="$(printf '%s\n' "${loaded[@]}" | median)"
  echo "round $1: key checks at $(rps <"$workdir/paced_unloaded_1") req/s, p99 in $windows" \
    "interleaved $window windows: unloaded ${unloaded[*]} ms (median $u), under login load" \
    "${loaded[*]} ms (median $l); ratio $(divide "$l" "$u")" \
    "(bar <= 2; logins $(printf '%s\n' "${logins[@]}" | median) req/s, non-2xx:" \
    "$(cat "$workdir"/paced_loaded_*.logins | awk '/Non-2xx/ { n += $5 } END { print n + 0 }')," \
    "TLB shootdowns $(awk -v n="$shootdowns" -v s="$loaded_seconds" 'BEGIN { printf "%.0f", n / s }')/s);" \
    "beside two idle-priority busy loops $(p99_ms "$workdir/paced_idle_loops") ms, ratio" \
    "$(divide "$(p99_ms "$workdir/paced_idle_loops")" "$u")" \
    "(the machine's floor)"
}

echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; wrk -c$connections -d$duration"
for ((round = 1; round <= rounds; round++)); do
  settle
  paced_windows "$round"
  gets "$workdir/unloaded"
  gets_beside_logins "$workdir/loaded"
  gets_beside_idle_loops "$workdir/idle_loops"
  echo "  as fast as answered (wrk -c$connections): p99 unloaded $(p99_ms "$workdir/unloaded") ms," \
    "under login load $(p99_ms "$workdir/loaded") ms, ratio $(ratio "$workdir/loaded" "$workdir/unloaded");" \
    "beside two idle-priority busy loops $(p99_ms "$workdir/idle_loops") ms, ratio" \
    "$(ratio "$workdir/idle_loops" "$workdir/unloaded") (the machine's floor for this client)"
done

settle
# The same logins without a flood, for comparison on this machine as it is now.
sleep "${flood_duration%s}" &
real_logins $! "no flood (baseline)"
wrk -t2 -c"$flood_connections" -d"$flood_duration" --timeout 30s -s "$root/bench/signup_flood.lua" \
  "$base" >"$workdir/flood" &
flood=$!
sleep 1
real_logins "$flood" "during the sign-up flood"
wait $flood || true
echo "flood: $(rps <"$workdir/flood") sign-up requests/s" \
  "(non-2xx: $(awk '/Non-2xx/ {print $5}' "$workdir/flood"));" \
  "$(curl -sf -H "X-API-KEY: $user_key" "$base/api/users/?page=1&limit=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["pagination"]["total_records"])') users now"
