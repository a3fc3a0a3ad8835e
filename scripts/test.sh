#!/usr/bin/env bash
# Builds and runs the whole test suite (unit, contract, integration) in the given CMake
# presets; default: release, asan (address + undefined sanitizers), tsan (ThreadSanitizer on
# the tests that exercise concurrency: see the tsan test preset's filter) and fuzz (every
# libFuzzer target for FUZZ_SECONDS, default 5, each: scripts/fuzz.sh).
# A throw-away PostgreSQL cluster and a throw-away MariaDB server run for the duration, so
# the store contract suite and the HTTP integration suite run on PostgreSQL and MySQL as
# well as SQLite; a throw-away slapd serves the directory-login tests (scripts/ldap-server.sh).
# Under CI (CI=true) a missing PostgreSQL, MariaDB or slapd fails the run;
# elsewhere those tests skip, said in one line.
# Usage: scripts/test.sh [preset...]
set -euo pipefail
cd "$(dirname "$0")/.."

# Idempotent and quick when everything is present; lets this command work on its own.
scripts/install-deps.sh

# shellcheck source=scripts/pg-cluster.sh
source scripts/pg-cluster.sh
# shellcheck source=scripts/mysql-cluster.sh
source scripts/mysql-cluster.sh
# shellcheck source=scripts/ldap-server.sh
source scripts/ldap-server.sh
trap 'pg_cluster_stop; mysql_cluster_stop; ldap_server_stop' EXIT
# Settings from the caller's shell must not point the suites at some other server.
unset AUTOMATION_TEST_PG_HOST AUTOMATION_TEST_PG_PORT AUTOMATION_TEST_PG_USER \
  AUTOMATION_TEST_PG_PASSWORD
if ! pg_cluster_start; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "test: CI requires PostgreSQL for the test suite: ${PG_CLUSTER_ERROR}" >&2
    exit 1
  fi
  echo "test: PostgreSQL tests will be skipped: ${PG_CLUSTER_ERROR}"
fi
unset AUTOMATION_TEST_MYSQL_HOST AUTOMATION_TEST_MYSQL_PORT AUTOMATION_TEST_MYSQL_USER \
  AUTOMATION_TEST_MYSQL_PASSWORD
if ! mysql_cluster_start; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "test: CI requires MariaDB for the test suite: ${MYSQL_CLUSTER_ERROR}" >&2
    exit 1
  fi
  echo "test: MySQL tests will be skipped: ${MYSQL_CLUSTER_ERROR}"
fi
unset AUTOMATION_TEST_LDAP_URL AUTOMATION_TEST_LDAPS_URL AUTOMATION_TEST_LDAP_CA_FILE
if ! ldap_server_start; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "test: CI requires slapd for the directory-login tests: ${LDAP_SERVER_ERROR}" >&2
    exit 1
  fi
  echo "test: directory-login (LDAP) tests will be skipped: ${LDAP_SERVER_ERROR}"
fi

presets=("$@")
if ((${#presets[@]} == 0)); then presets=(release asan tsan fuzz); fi
jobs="$(nproc)"

configure_preset() {
  local preset="$1"
  local configure=(cmake --preset "$preset")
  # CI compiles everything from scratch: there the release preset is a unity build too, one
  # batch per target as in the other presets (docs/development.md, "Build presets"); a
  # developer's release build stays file by file, which keeps incremental builds quick and
  # checks that each file includes what it uses.
  if [[ "$preset" == release && "${CI:-}" == "true" ]]; then
    configure+=(-DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=0)
  fi
  "${configure[@]}" >/dev/null
}

test_preset() {
  local preset="$1"
  if [[ "$preset" == fuzz ]]; then
    scripts/fuzz.sh "${FUZZ_SECONDS:-5}"
  elif [[ "$preset" == tsan ]]; then
    # ThreadSanitizer's fixed shadow layout breaks on kernels with more address randomisation
    # (vm.mmap_rnd_bits > 28: "unexpected memory mapping"); running without ASLR is the
    # documented workaround, and the test processes inherit it.
    setarch "$(uname -m)" -R ctest --preset tsan -j "$jobs" --timeout 300
  else
    ctest --preset "$preset" -j "$jobs" --timeout 300
  fi
}

# The builds after the first run behind the tests, at idle CPU priority (SCHED_IDLE): a test
# stage keeps the CPUs about half idle (servers starting, sockets, child processes), and a
# build that only takes what the tests leave changes nothing they measure. Each preset's build
# log is kept and shown when it fails. Stage times below: "build" is the wait for the build
# after the previous stage's tests, not the build's whole length.
logs="$(mktemp -d)"
builder=""
# Stops a process and everything it started (a build's compilers too), children first.
stop_tree() {
  local child
  for child in $(pgrep -P "$1"); do stop_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
trap 'pg_cluster_stop; mysql_cluster_stop; ldap_server_stop; [[ -n "$builder" ]] && stop_tree "$builder"; rm -rf "$logs"' EXIT
# Where SCHED_IDLE is refused (a restricted container), the lowest nice value instead.
idle=(chrt --idle 0)
"${idle[@]}" true 2>/dev/null || idle=(nice -n 19)
background_builds() {
  local preset
  for preset in "$@"; do
    if "${idle[@]}" cmake --build --preset "$preset" -j "$jobs" >"$logs/$preset.log" 2>&1; then
      touch "$logs/$preset.ok"
    else
      touch "$logs/$preset.failed"
    fi
  done
}
wait_for_build() {
  local preset="$1"
  while [[ ! -e "$logs/$preset.ok" && ! -e "$logs/$preset.failed" ]]; do
    kill -0 "$builder" 2>/dev/null || break
    sleep 1  # poll interval: the builder marks each preset's end with a file
  done
  if [[ ! -e "$logs/$preset.ok" ]]; then
    tail -n 60 "$logs/$preset.log" >&2 || true
    echo "test: the ${preset} build failed (its log's end is above)" >&2
    exit 1
  fi
}

for preset in "${presets[@]}"; do configure_preset "$preset"; done
timings=()
started=$SECONDS
cmake --build --preset "${presets[0]}" -j "$jobs"
if ((${#presets[@]} > 1)); then
  background_builds "${presets[@]:1}" &
  builder=$!
fi
for preset in "${presets[@]}"; do
  if [[ "$preset" != "${presets[0]}" ]]; then
    started=$SECONDS
    wait_for_build "$preset"
  fi
  built=$SECONDS
  test_preset "$preset"
  timings+=("${preset}: build $((built - started)) s, tests $((SECONDS - built)) s")
done
echo "=== stages: ${timings[*]/%/;}"

