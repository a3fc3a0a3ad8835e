#!/usr/bin/env bash
# What the front door costs a reverse proxy (issue 22): nginx serving a static file alone,
# against nginx serving the same file behind `auth_request` to this service (GET
# /api/auth/verify, a key in X-API-KEY, a token minted per request), alternating, with wrk
# (keep-alive, 64 connections). nginx runs as shipped (packaging/nginx/automation-common.conf:
# keep-alive upstream connections), one worker per core, access lines off in both servers.
# A third set-up puts the same file behind `auth_request` to an nginx location that answers 200
# at once (over the same keep-alive upstream connections): the most any forward-auth service can
# reach behind this nginx, so the cost of the check itself shows apart from nginx's own.
# The peer figure (issue 22): LemonLDAP::NG 2.16's nginx handler served a protected static file
# at 0.040x of nginx alone on this kind of machine (1,315 vs 33,100 req/s, wrk -c64, 2 cores).
#
# Usage: bench/front_door.sh [--rounds R] [path/to/automation]
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_THREADS (wrk threads, 1),
#              AUTOMATION_NGINX (/usr/sbin/nginx).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
rounds=1
binary="$root/build/release/src/automation/cli/automation"
while (($#)); do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) binary="$1"; shift ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --rounds takes a count >= 1"; exit 2; }
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-64}"
threads="${BENCH_THREADS:-1}"
nginx="${AUTOMATION_NGINX:-/usr/sbin/nginx}"
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }
[[ -x "$nginx" ]] || { echo "bench: no nginx at $nginx (apt-get install nginx)"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
workdir="$(mktemp -d)"
chmod 755 "$workdir"  # nginx's workers run as nobody
port="$(free_port)"
open_port="$(free_port)"
auth_port="$(free_port)"
noop_port="$(free_port)"
noop_auth_port="$(free_port)"
base="http://127.0.0.1:$port"
export AUTOMATION_SUPERUSER_PASSWORD="bench-system-password"
(cd "$workdir" && exec "$binary" serve --port "$port" --db-file "$workdir/bench.db") \
  >>"$workdir/server.log" 2>&1 &
server=$!
nginx_pid=""
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null;
      [[ -n "$nginx_pid" ]] && { kill -TERM $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null; };
      rm -rf "$workdir"' EXIT
until curl -sf "$base/api/health/ping" >/dev/null; do
  kill -0 $server 2>/dev/null || { cat "$workdir/server.log"; exit 1; }
  sleep 0.1
done
user_key="$(bench_user_key "$base")"

mkdir -p "$workdir/www"
printf '<!doctype html><title>protected</title><p>A static file of 64 bytes, more or less.</p>\n' \
  >"$workdir/www/index.html"
sed "s/server 127.0.0.1:8051;/server 127.0.0.1:$port;/" "$root/packaging/nginx/automation-common.conf" \
  >"$workdir/automation-common.conf"
cat >"$workdir/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $workdir/nginx.pid;
error_log $workdir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $workdir/client_body;
    proxy_temp_path $workdir/proxy;
    fastcgi_temp_path $workdir/fastcgi;
    uwsgi_temp_path $workdir/uwsgi;
    scgi_temp_path $workdir/scgi;
    include $workdir/automation-common.conf;
    upstream noop_check {
        server 127.0.0.1:$noop_port;
        keepalive 256;
    }
    server {
        listen 127.0.0.1:$open_port;
        root $workdir/www;
    }
    server {
        listen 127.0.0.1:$noop_port;
        location / { return 200; }
    }
    server {
        listen 127.0.0.1:$noop_auth_port;
        root $workdir/www;
        location = /_noop/verify {
            internal;
            proxy_pass http://noop_check/;
            proxy_http_version 1.1;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header Connection "";
        }
        location / {
            auth_request /_noop/verify;
        }
    }
    server {
        listen 127.0.0.1:$auth_port;
        root $workdir/www;
        location = /_automation/verify {
            internal;
            proxy_pass http://automation_front_door/api/auth/verify;
            proxy_http_version 1.1;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_set_header X-Original-URL \$scheme://\$http_host\$request_uri;
            proxy_set_header X-Forwarded-Method \$request_method;
        }
        location / {
            auth_request /_automation/verify;
            auth_request_set \$automation_user \$upstream_http_x_automation_user;
            auth_request_set \$automation_token \$upstream_http_x_automation_token;
            add_header X-Automation-User \$automation_user;
        }
    }
}
CONF
"$nginx" -p "$workdir" -e "$workdir/error.log" -c "$workdir/nginx.conf" &
nginx_pid=$!
until curl -sf "http://127.0.0.1:$open_port/" >/dev/null; do
  kill -0 $nginx_pid 2>/dev/null || { cat "$workdir/error.log"; exit 1; }
  sleep 0.1
done
[[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$auth_port/")" == 401 ]] ||
  { echo "bench: the protected file answers without a key"; exit 1; }
[[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-KEY: $user_key" "http://127.0.0.1:$auth_port/")" == 200 ]] ||
  { echo "bench: the protected file refuses the key"; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
echo "wrk -t$threads -c$connections -d$duration, $(nproc) cores, nginx $("$nginx" -v 2>&1 | cut -d/ -f2)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $rounds round(s)"
open_runs=()
noop_runs=()
auth_runs=()
for ((round = 1; round <= rounds; round++)); do
  open_runs+=("$(wrk -t"$threads" -c"$connections" -d"$duration" "http://127.0.0.1:$open_port/" | rps)")
  noop_runs+=("$(wrk -t"$threads" -c"$connections" -d"$duration" "http://127.0.0.1:$noop_auth_port/" | rps)")
  before="$(ticks $server)"
  out="$(wrk -t"$threads" -c"$connections" -d"$duration" -H "X-API-KEY: $user_key" \
    "http://127.0.0.1:$auth_port/")"
  grep -q "Non-2xx" <<<"$out" && echo "bench: non-2xx answers behind auth_request: $(grep Non-2xx <<<"$out")"
  auth_runs+=("$(rps <<<"$out")")
  service_ticks=$(($(ticks $server) - before))
  total="$(awk '/requests in/ {print $1}' <<<"$out")"
  echo "round $round: nginx alone ${open_runs[-1]} req/s, behind a no-op auth_request" \
    "${noop_runs[-1]} req/s, behind auth_request ${auth_runs[-1]} req/s" \
    "(service CPU $(python3 -c "print(round($service_ticks / $(getconf CLK_TCK) * 1e6 / $total, 1))") us/request)"
done
python3 - "${open_runs[*]}" "${noop_runs[*]}" "${auth_runs[*]}" <<'PY'
import statistics, sys
open_rps, noop_rps, auth_rps = (statistics.median(float(x) for x in arg.split())
                                for arg in sys.argv[1:4])
ratio = auth_rps / open_rps
print(f"nginx serving a static file alone:              {open_rps:9.0f} req/s")
print(f"the same file behind a no-op auth_request:      {noop_rps:9.0f} req/s  "
      f"({noop_rps / open_rps:.3f}x nginx alone: the most any check can reach)")
print(f"the same file behind auth_request + verify:     {auth_rps:9.0f} req/s  ({ratio:.3f}x nginx alone, "
      f"{auth_rps / noop_rps:.2f}x the no-op check)")
print(f"LemonLDAP::NG 2.16 (issue 22, same kind of machine): 1,315 vs 33,100 req/s (0.040x);"
      f" this is {ratio / 0.0397:.1f}x that ratio (aim: >= 10x)")
PY
