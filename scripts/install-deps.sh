#!/usr/bin/env bash
# Installs every Debian/Ubuntu package needed to build, run and test the service.
# Idempotent: apt-get skips what is already installed. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libgtest-dev libgmock-dev
  libssl-dev libsodium-dev libjwt-dev
  libsoci-dev libsqlite3-dev libpq-dev libmariadb-dev sqlite3
  librestinio-dev libasio-dev libfmt-dev libhttp-parser-dev
  nlohmann-json3-dev libhowardhinnant-date-dev tzdata
  libspdlog-dev libcli11-dev
  # Metrics (core library and the exposer of AUTOMATION_METRICS=host:port)
  prometheus-cpp-dev
  # Browser test of /api/docs (driven by playwright-core from tools/npm)
  chromium
  # The front door's tests and bench: a throw-away nginx in front of the server, and a stand-in
  # PyAutomation that checks tokens with PyJWT as upstream does (/usr/bin/python3)
  nginx python3-jwt
  # cracklib: the optional password dictionary check and its dictionary
  libcrack2-dev cracklib-runtime
  # Multi-factor authentication: QR codes of enrollments; the tests compute codes with oathtool
  # and read the QR code back with rsvg-convert and zbarimg
  libqrencode-dev oathtool librsvg2-bin zbar-tools
  libcurl4-openssl-dev curl jq wrk python3
  # the TLS integration test makes its self-signed certificate with the openssl command
  openssl
  # `man -l` renders the generated manual page in a test (and `man automation` after install)
  man-db
  # upstream's own password check (werkzeug's check_password_hash) verifies the hashes the
  # service writes with AUTOMATION_PASSWORD_FORMAT=werkzeug, in a test
  python3-werkzeug
  # PostgreSQL server for the throw-away test cluster scripts/test.sh starts
  postgresql-15
  # systemd-analyze, to verify the packaged unit (tests/package); dpkg-dev for CPack's .deb
  systemd dpkg-dev
  # MariaDB server for the throw-away MySQL-compatible test server (scripts/mysql-cluster.sh)
  mariadb-server
  # Fuzz preset. libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes; clang-14 only
  # recommends it, and recommends are not installed below.
  clang-14 libclang-rt-14-dev
)

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then SUDO="sudo"; fi

# One dpkg-query for all packages (one per package took ~10 s on a loaded machine, and
# scripts/run.sh runs this before every start).
declare -A installed=()
while read -r pkg _ ok state; do
  [[ "$ok" == ok && "$state" == installed ]] && installed["$pkg"]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for pkg in "${PACKAGES[@]}"; do
  [[ -n "${installed[$pkg]:-}" ]] || missing+=("$pkg")
done

# Node.js and npm, for the pinned npm packages below. The machine may already have a Node.js
# of its own (e.g. NodeSource's, which bundles npm and conflicts with Debian's npm package):
# only what is missing is installed.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]} == 0)); then
  echo "install-deps: all packages present"
else
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages, pinned by tools/npm/package-lock.json: swagger-ui-dist (compiled into the
# server), the OpenAPI validator and playwright-core (tests). --ignore-scripts: no package
# runs an install script (swagger-ui-dist's dependency would report to an outside host);
# playwright-core never downloads a browser, the tests use Debian's chromium.
npm_dir="$(cd "$(dirname "$0")/../tools/npm" && pwd)"
stamp="$npm_dir/node_modules/.installed-from-lock"
if ! cmp -s "$npm_dir/package-lock.json" "$stamp" 2>/dev/null; then
  echo "install-deps: npm ci in tools/npm"
  (cd "$npm_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$npm_dir/package-lock.json" "$stamp"
fi
