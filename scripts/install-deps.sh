#!/usr/bin/env bash
# Installs every Debian/Ubuntu package needed to build, run and test the service.
# Idempotent: apt-get skips what is already installed. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libgtest-dev libgmock-dev
  libssl-dev libsodium-dev libjwt-dev
  libsoci-dev libsqlite3-dev libpq-dev sqlite3
  librestinio-dev libasio-dev libfmt-dev libhttp-parser-dev
  nlohmann-json3-dev libhowardhinnant-date-dev tzdata
  libspdlog-dev libcli11-dev
  # cracklib: the optional password dictionary check and its dictionary
  libcrack2-dev cracklib-runtime
  libcurl4-openssl-dev curl jq wrk python3
  # PostgreSQL server for the throw-away test cluster scripts/test.sh starts
  postgresql-15
  # Fuzz preset. libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes; clang-14 only
  # recommends it, and recommends are not installed below.
  clang-14 libclang-rt-14-dev
)

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then SUDO="sudo"; fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
