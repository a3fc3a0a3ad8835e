#!/usr/bin/env bash
# Security review 2, item 1: clients that never read their answers must not pin the server's
# memory. Seeds N users (default 20,000: the whole list is about 4 MB), then opens S stalled
# readers (default 500) that each ask for page 1 with a distinct limit (half just below the
# number of users: distinct texts; half past it: one shared text) and never read. Meanwhile a
# normal client asks for a page of 20 and the ping. Prints the server's peak resident memory
# (VmHWM) against the bar (AUTOMATION_RESPONSE_MEMORY_MIB + 100 MiB), how many stalled readers
# got 200 and 503, and the normal client's answers; exits 1 when the bar is missed.
#
# Usage: bench/response_memory.sh [--users N] [--stalled S] [path/to/automation]
# Environment: AUTOMATION_RESPONSE_MEMORY_MIB (256), BENCH_HOLD_SECONDS (how long the readers
# stay stalled, 10), BENCH_ONE_AT_A_TIME=1 (each reader waits for the first bytes of its
# answer before the next asks: no two big lists are rendered at once, so the memory budget,
# not the one-render-at-a-time rule, is what refuses them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
users=20000
stalled=500
binary="$root/build/release/src/automation/cli/automation"
while (($#)); do
  case "$1" in
    --users) users="$2"; shift 2 ;;
    --stalled) stalled="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) binary="$1"; shift ;;
  esac
done
budget_mib="${AUTOMATION_RESPONSE_MEMORY_MIB:-256}"
export AUTOMATION_RESPONSE_MEMORY_MIB="$budget_mib"
# The stalled readers all come from 127.0.0.1: this measures memory, not the per-address limit.
export AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS=100000
# Readers stay stalled for the whole run (asking one at a time can take minutes).
export AUTOMATION_WRITE_TIMEOUT=900
workdir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export AUTOMATION_SUPERUSER_PASSWORD="bench-system-password"
(cd "$workdir" && exec "$binary" serve --port "$port" --db-file "$workdir/bench.db") \
  >>"$workdir/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$workdir"' EXIT
bench_wait_ready "$base" "$server" "$workdir/server.log"
key="$(bench_user_key "$base")"
python3 "$root/bench/seed.py" "$workdir/bench.db" "$users" "$workdir/keys.txt"
python3 - "$port" "$server" "$key" "$stalled" "$budget_mib" "${BENCH_HOLD_SECONDS:-10}" \
  "${BENCH_ONE_AT_A_TIME:-0}" <<'PY'
import json, socket, sys, threading, time, urllib.request

port, pid, key, stalled, budget_mib, hold = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                             int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
one_at_a_time = sys.argv[7] == "1"
base = f"http://127.0.0.1:{port}"

def get(path):
    request = urllib.request.Request(base + path, headers={"X-API-KEY": key})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0  # no answer within 5 s
    return status, time.monotonic() - started

def status_of(kib):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(kib):
                return int(line.split()[1]) // 1024
    return 0

status, _ = get("/api/users/?page=1&limit=1")
total = json.load(urllib.request.urlopen(urllib.request.Request(
    base + "/api/users/?page=1&limit=1", headers={"X-API-KEY": key})))["pagination"]["total_records"]
print(f"users listed: {total}; resident before: {status_of('VmRSS:')} MiB")

half = stalled // 2
limits = [total - 1 - i for i in range(half)] + [total + i for i in range(stalled - half)]
sockets = []
for limit in limits:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET /api/users/?page=1&limit={limit} HTTP/1.1\r\nHost: x\r\nX-API-KEY: {key}\r\n\r\n".encode())
    sockets.append(s)
    if one_at_a_time:
        s.recv(12, socket.MSG_PEEK)  # the answer has begun (left unread)

normal = []
def normal_client():
    deadline = time.monotonic() + hold
    while time.monotonic() < deadline:
        normal.append(get("/api/users/?page=1&limit=20"))
        normal.append(get("/api/health/ping"))
        time.sleep(0.1)
thread = threading.Thread(target=normal_client)
thread.start()
deadline = time.monotonic() + hold
peak_rss = 0
while time.monotonic() < deadline:
    peak_rss = max(peak_rss, status_of("VmRSS:"))
    time.sleep(0.05)
thread.join()
# Every reader's status line, all still stalled (closing one would free its answer's memory
# and let a later one in).
ok = busy = 0
for s in sockets:
    s.settimeout(0.05)
    try:
        head = s.recv(64, socket.MSG_PEEK)
    except OSError:
        head = b""
    ok += head.startswith(b"HTTP/1.1 200")
    busy += head.startswith(b"HTTP/1.1 503")
hwm = status_of("VmHWM:")
for s in sockets:
    s.close()
served = sum(1 for status, _ in normal if status == 200)
slowest = max((seconds for _, seconds in normal), default=0)
bar = budget_mib + 100
print(f"stalled readers: {stalled} ({half} distinct lists below the end, {stalled - half} past it): "
      f"{ok} got 200, {busy} got 503, {stalled - ok - busy} no answer yet after {hold:.0f} s")
print(f"normal client: {served}/{len(normal)} answered 200, slowest {slowest * 1000:.0f} ms")
print(f"peak resident: {hwm} MiB (sampled {peak_rss} MiB); bar {bar} MiB "
      f"(AUTOMATION_RESPONSE_MEMORY_MIB={budget_mib} + 100): {'met' if hwm < bar else 'MISSED'}")
sys.exit(0 if hwm < bar and served == len(normal) else 1)
PY
