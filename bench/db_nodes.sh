#!/usr/bin/env bash
# Scale-out on a database server (SPEC §7): starts a throw-away PostgreSQL cluster or MariaDB
# server and two `automation serve` nodes on one database of it, then measures on node A,
# side by side, GET /api/health/ping (the baseline) and an authenticated
# GET /api/users/<username> (64 keep-alive connections, wrk --latency), and runs the
# two-node revocation check (bench/revocation_check.py: a revocation on A, the next request
# on B; 0 stale answers).
# Usage: bench/db_nodes.sh postgresql|mysql [path/to/automation]
#        BENCH_DURATION=10s BENCH_TRIALS=1000
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
engine="${1:-}"
binary="${2:-$root/build/release/src/automation/cli/automation}"
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-64}"
trials="${BENCH_TRIALS:-1000}"
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }

# shellcheck source=scripts/pg-cluster.sh
source "$root/scripts/pg-cluster.sh"
# shellcheck source=scripts/mysql-cluster.sh
source "$root/scripts/mysql-cluster.sh"
workdir="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_cluster_stop
  mysql_cluster_stop
  rm -rf "$workdir"
}
trap cleanup EXIT
# Each engine: start its server, create the database, and name the server's settings.
case "$engine" in
  postgresql)
    label=PostgreSQL
    pg_cluster_start || { echo "bench: $PG_CLUSTER_ERROR"; exit 1; }
    PGPASSWORD="$AUTOMATION_TEST_PG_PASSWORD" "$PG_BIN/psql" -q -X -h "$AUTOMATION_TEST_PG_HOST" \
      -p "$AUTOMATION_TEST_PG_PORT" -U "$AUTOMATION_TEST_PG_USER" -d postgres \
      -c "CREATE DATABASE automation_bench" >/dev/null
    prefix=AUTOMATION_TEST_PG_
    ;;
  mysql)
    label=MySQL
    # On disk, as a production server keeps its data (the test suites keep it in memory).
    MYSQL_CLUSTER_ON_DISK=1 mysql_cluster_start || { echo "bench: $MYSQL_CLUSTER_ERROR"; exit 1; }
    mariadb --no-defaults -h "$AUTOMATION_TEST_MYSQL_HOST" -P "$AUTOMATION_TEST_MYSQL_PORT" \
      -u "$AUTOMATION_TEST_MYSQL_USER" -p"$AUTOMATION_TEST_MYSQL_PASSWORD" \
      -e "CREATE DATABASE automation_bench"
    prefix=AUTOMATION_TEST_MYSQL_
    ;;
  *)
    echo "usage: bench/db_nodes.sh postgresql|mysql [path/to/automation]" >&2
    exit 2
    ;;
esac
setting() { local name="$prefix$1"; echo "${!name}"; }

export AUTOMATION_SUPERUSER_PASSWORD="bench-system-password"
export AUTOMATION_APP_SECRET_KEY="bench-secret-key-0123456789abcdef0123456789"
export AUTOMATION_DB_TYPE="$engine" AUTOMATION_DB_NAME=automation_bench
AUTOMATION_DB_HOST="$(setting HOST)" AUTOMATION_DB_PORT="$(setting PORT)"
AUTOMATION_DB_USER="$(setting USER)" AUTOMATION_DB_PASSWORD="$(setting PASSWORD)"
export AUTOMATION_DB_HOST AUTOMATION_DB_PORT AUTOMATION_DB_USER AUTOMATION_DB_PASSWORD
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_node() {
  local port="$1"
  (cd "$workdir" && exec "$binary" serve --port "$port") >"$workdir/node-$port.log" 2>&1 &
  pids+=($!)
  bench_wait_ready "http://127.0.0.1:$port" "${pids[-1]}" "$workdir/node-$port.log"
}
port_a="$(free_port)"
start_node "$port_a"  # the first node migrates the database
port_b="$(free_port)"
start_node "$port_b"
base="http://127.0.0.1:$port_a"

user_key="$(bench_user_key "$base")"

p99() { awk '$1 == "99%" {print $2}'; }
echo "$label node, wrk -t1 -c$connections -d$duration --latency (keep-alive), $(nproc) cores"
ping_out="$(wrk -t1 -c"$connections" -d"$duration" --latency "$base/api/health/ping")"
user_out="$(wrk -t1 -c"$connections" -d"$duration" --latency -H "X-API-KEY: $user_key" \
  "$base/api/users/bench_user")"
echo "$ping_out" >&2
echo "$user_out" >&2
python3 - "$(echo "$ping_out" | rps)" "$(echo "$user_out" | rps)" "$(echo "$user_out" | p99)" <<'PY'
import sys
ping, user, p99 = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print(f"\nGET /api/health/ping        {ping:10.0f} req/s (baseline)")
print(f"GET /api/users/<username>   {user:10.0f} req/s  ratio {user / ping:.2f} (bar: >= 0.50), p99 {p99} (bar: <= 10 ms)")
PY
python3 "$root/bench/revocation_check.py" "$base" "http://127.0.0.1:$port_b" \
  bench-system-password "$trials"
