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
  # OpenID Connect provider: PyJWT checks the RS256/ES256 tokens signed with the provider's keys
  # against its JWKS in a test; python3-jwt only recommends the cryptography module it needs
  python3-cryptography
  # Directory login (LDAP, Active Directory): OpenLDAP's client library, and a throw-away slapd
  # with its command-line tools for the tests (scripts/ldap-server.sh)
  libldap-dev slapd ldap-utils
  # The OpenID Connect provider's tests with real relying parties: a throw-away Apache httpd
  # (apache2-bin: the binary and its modules, no service) with mod_auth_openidc in front of a
  # page, driven by Chromium; and Authlib's OAuth 2.0 / OpenID Connect client (python3-authlib,
  # over python3-requests) as a second one (tests/oidc/authlib_rp.py)
  apache2-bin libapache2-mod-auth-openidc python3-authlib python3-requests
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
  # The tests start slapd of their own; the package's service (configured by debconf with a
  # default directory) must not keep running or start at boot.
  if [[ " ${missing[*]} " == *" slapd "* ]]; then
    $SUDO systemctl disable --now slapd >/dev/null 2>&1 || $SUDO service slapd stop >/dev/null 2>&1 || true
  fi
fi

# npm packages, each folder pinned by its package-lock.json, installed again only when its lock
# changed. --ignore-scripts: no package runs an install script (swagger-ui-dist's dependency
# would report to an outside host); playwright-core never downloads a browser, the tests use
# Debian's chromium.
npm_ci() {
  local npm_dir stamp
  npm_dir="$(cd "$(dirname "$0")/../$1" && pwd)"
  stamp="$npm_dir/node_modules/.installed-from-lock"
  if ! cmp -s "$npm_dir/package-lock.json" "$stamp" 2>/dev/null; then
    echo "install-deps: npm ci in $1"
    (cd "$npm_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp "$npm_dir/package-lock.json" "$stamp"
  fi
}
# tools/npm: swagger-ui-dist (compiled into the server), the OpenAPI validator, playwright-core
# and axe-core (tests).
npm_ci tools/npm
# web/console: the web console's toolchain (TypeScript, Vite) and Preact; the build runs it.
npm_ci web/console
