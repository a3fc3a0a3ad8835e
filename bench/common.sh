# Shared by the bench scripts (source it). bench_user_key BASE_URL: logs in as system
# (AUTOMATION_SUPERUSER_PASSWORD), signs up the operator `bench_user`, logs it in and prints
# its API key.
bench_json() { curl -sf -H 'Content-Type: application/json' "$@"; }
bench_key_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["apiKey"])'; }
bench_user_key() {
  local base="$1" system_key
  system_key="$(bench_json -d "{\"username\":\"system\",\"password\":\"$AUTOMATION_SUPERUSER_PASSWORD\"}" \
    "$base/api/users/login" | bench_key_of)"
  bench_json -H "X-API-KEY: $system_key" \
    -d '{"username":"bench_user","email":"bench@example.com","password":"bench-password-1","role_name":"operator"}' \
    "$base/api/users/signup" >/dev/null
  bench_json -d '{"username":"bench_user","password":"bench-password-1"}' "$base/api/users/login" |
    bench_key_of
}
rps() { awk '/Requests\/sec/ {print $2}'; }
# bench_wait_ready BASE_URL PID LOG: waits until the server at BASE_URL answers a ping; if its
# process PID ends first, prints LOG and exits.
bench_wait_ready() {
  until curl -sf "$1/api/health/ping" >/dev/null; do
    kill -0 "$2" 2>/dev/null || { cat "$3"; exit 1; }
    sleep 0.1
  done
}
