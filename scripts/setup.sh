#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing Gaia need.
# Idempotent and quiet: does nothing when every package is already present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config curl tzdata python3
  libboost1.81-dev libboost-json1.81-dev libcurl4-openssl-dev libssl-dev openssl
  libspdlog-dev libfmt-dev libcli11-dev libsodium-dev libre2-dev
  libsqlite3-dev libpq-dev libhiredis-dev libhowardhinnant-date-dev
  libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev
  clang libclang-rt-14-dev clang-format postgresql-15 redis-server redis-tools
  chromium nodejs
  libgrpc++-dev libprotobuf-dev protobuf-compiler-grpc haproxy
  prometheus
)

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The account commands run as when gaia_server runs as root (GAIA_EXEC_USER, docs/runner.md):
# a system account with no login shell and no home of its own.
if ! getent passwd gaia-exec >/dev/null; then
  echo "setup: creating the account gaia-exec"
  $sudo_cmd useradd --system --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --user-group gaia-exec
fi

# The browser tests' driver and the dashboard's formatter (tests/e2e: playwright-core and
# prettier), from the committed package-lock.json; again when the lock file changed since.
e2e="$(dirname "$0")/../tests/e2e"
if [ -f "$e2e/package-lock.json" ] &&
  { [ ! -f "$e2e/node_modules/.package-lock.json" ] ||
    [ "$e2e/package-lock.json" -nt "$e2e/node_modules/.package-lock.json" ]; }; then
  echo "setup: npm ci in tests/e2e"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
