#!/usr/bin/env bash
# Makes the .deb from the release build (CPack) and checks it on this machine, as CI does
# after scripts/test.sh: install with dpkg, the files, user and permissions it promises,
# `automation --help`, a server run as the service user on the packaged settings answers,
# then removal (purge) leaves no binary, unit or settings behind. Needs root (or sudo) and
# a machine without the package: it refuses to touch an installed one.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then SUDO="sudo"; fi
if dpkg-query -W -f='${Status}' automation 2>/dev/null | grep -q "installed"; then
  echo "package-check: the automation package is installed here already; not touching it" >&2
  exit 1
fi

started=$SECONDS
[[ -f build/release/CMakeCache.txt ]] || cmake --preset release >/dev/null
cmake --build --preset release --target automation automation_library automation_manual_page >/dev/null
out=build/release/package
rm -rf "$out"
(cd build/release && cpack -G DEB -B "$PWD/package" >/dev/null)
deb=$(ls "$out"/automation_*.deb)
echo "package-check: built $(basename "$deb") in $((SECONDS - started)) s"
dpkg-deb --field "$deb" Depends

scratch=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  $SUDO rm -rf "$scratch"
  if dpkg-query -W automation >/dev/null 2>&1; then $SUDO dpkg --purge automation >/dev/null || true; fi
}
trap cleanup EXIT

fail() { echo "package-check: $*" >&2; exit 1; }

$SUDO dpkg -i "$deb" >/dev/null
automation --help | grep -q "Exit codes" || fail "automation --help"
getent passwd automation >/dev/null || fail "no automation user"
[[ -f /lib/systemd/system/automation.service || -f /usr/lib/systemd/system/automation.service ]] ||
  fail "no unit"
[[ "$(stat -c '%U:%G %a' /etc/automation/automation.env)" == "root:automation 640" ]] ||
  fail "/etc/automation/automation.env is $(stat -c '%U:%G %a' /etc/automation/automation.env)"
[[ "$(stat -c '%U:%G %a' /var/lib/automation)" == "automation:automation 750" ]] ||
  fail "/var/lib/automation is $(stat -c '%U:%G %a' /var/lib/automation)"
grep -qx /etc/automation/automation.env /var/lib/dpkg/info/automation.conffiles || fail "conffiles"
[[ -f /usr/lib/cmake/automation/automationConfig.cmake ]] || fail "no CMake package"
# `man automation` is what a Debian user types (dpkg may be told to leave manual pages out:
# then the file is missing, and that is said instead of failing).
if [[ -f /usr/share/man/man1/automation.1.gz ]]; then
  MANWIDTH=100 man automation 2>&1 | grep -q "AUTOMATION_SESSION_TTL" || fail "man automation"
elif grep -qs 'path-exclude=/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
  echo "package-check: dpkg excludes manual pages here; automation(1) not checked"
else
  fail "no /usr/share/man/man1/automation.1.gz"
fi

# The packaged settings, as the service user; the database in a scratch directory so that
# nothing lands in /var/lib/automation (which a purge keeps).
$SUDO chown automation:automation "$scratch"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$SUDO runuser -u automation -- automation --env-file /etc/automation/automation.env \
  --db-file "$scratch/app.db" serve --port "$port" >"$scratch/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/api/health/ping" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$scratch/serve.log"; fail "server exited"; }
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/api/health/ping" | grep -q pong || fail "no pong"
kill "$server_pid"
wait "$server_pid" || true
server_pid=""

$SUDO dpkg --purge automation >/dev/null
for gone in /usr/bin/automation /etc/automation/automation.env /usr/lib/systemd/system/automation.service; do
  [[ ! -e "$gone" ]] || fail "$gone left after purge"
done
echo "package-check: installed, served and purged in $((SECONDS - started)) s"
