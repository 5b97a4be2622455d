#!/usr/bin/env bash
# Installs the Debian package from <build dir> on this machine for real, checks what it put
# where, starts the server exactly as gaia.service would (its ExecStart line, as the `gaia`
# user, in its working directory; there is no systemd here), asks /health and the health
# details, runs one command through the server, stops it with SIGTERM and purges the package.
# Needs root (or sudo) and a machine where no `gaia` package is installed.
# Usage: test_package.sh build/release
set -euo pipefail

build="${1:?usage: test_package.sh <build dir>}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
fail() { echo "test_package: FAILED: $*" >&2; exit 1; }

shopt -s nullglob
debs=("$build"/gaia_*.deb)
[ ${#debs[@]} -eq 1 ] || fail "expected one gaia_*.deb in $build (make package), found ${#debs[@]}"
deb="${debs[0]}"
if dpkg-query -W -f='${Status}' gaia 2>/dev/null | grep -q "installed"; then
  fail "a gaia package is already installed here; this test installs and purges its own"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    $sudo_cmd kill -KILL "$server_pid" || true
  fi
  if dpkg-query -W -f='${Status}' gaia 2>/dev/null | grep -q "installed"; then
    $sudo_cmd dpkg --purge gaia >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "test_package: installing $deb"
$sudo_cmd dpkg -i "$deb" >/dev/null

# What the package installed, and what its maintainer scripts made.
unit=/lib/systemd/system/gaia.service
for f in /usr/bin/gaia /usr/bin/gaia_server /usr/lib/gaia/gaia_server /usr/lib/gaia/gaia_supervisor \
  "$unit" /etc/gaia/gaia.conf; do
  [ -e "$f" ] || fail "$f is missing"
done
getent passwd gaia >/dev/null || fail "no gaia user"
[ "$(stat -c %U:%G:%a /var/lib/gaia)" = "gaia:gaia:750" ] ||
  fail "/var/lib/gaia is $(stat -c %U:%G:%a /var/lib/gaia), not gaia:gaia:750"
[ "$(stat -c %G:%a /etc/gaia/gaia.conf)" = "gaia:640" ] || fail "/etc/gaia/gaia.conf is not gaia:640"
dpkg-query --control-show gaia conffiles | grep -q /etc/gaia/gaia.conf ||
  fail "/etc/gaia/gaia.conf is not a conffile"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
fi

# The unit's own command line, user and working directory. PORT (the environment beats the
# file) picks a free port; GAIA_ADMIN_KEY is what /etc/gaia/gaia.env would hold.
exec_start="$(sed -n 's/^ExecStart=//p' "$unit")"
workdir="$(sed -n 's/^WorkingDirectory=//p' "$unit")"
user="$(sed -n 's/^User=//p' "$unit")"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
key="package-test-admin-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
echo "test_package: starting '$exec_start' as $user on port $port"
# shellcheck disable=SC2086 # ExecStart is split into words as systemd does for this line.
(cd "$workdir" && exec $sudo_cmd env -i PATH=/usr/bin:/bin PORT="$port" GAIA_ADMIN_KEY="$key" \
  setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs $exec_start) \
  >"$work/server.log" 2>&1 &
server_pid=$!

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS "$base/health" >"$work/health.json" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "server exited"; }
  sleep 0.2
done
grep -q '"status":"ok"' "$work/health.json" || { cat "$work/server.log" >&2; fail "/health"; }
# The store's path is an admin's detail, not liveness's.
curl -fsS -H "Authorization: Bearer $key" "$base/api/admin/health" >"$work/details.json" ||
  fail "GET /api/admin/health"
grep -q '/var/lib/gaia/gaia.db' "$work/details.json" || fail "the store is not the installed conf's"

# One command through the server: it runs as the server's user.
curl -fsS -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"type":"shell","argv":["id","-un"]}' "$base/api/v1/exec" >"$work/exec.ndjson" ||
  fail "POST /api/v1/exec"
grep -q '"data":"gaia\\n"' "$work/exec.ndjson" || { cat "$work/exec.ndjson" >&2; fail "id -un"; }
grep -Eq '"event":"exited".*"exit_code":0[,}]' "$work/exec.ndjson" ||
  { cat "$work/exec.ndjson" >&2; fail "the command did not exit 0"; }

$sudo_cmd kill -TERM "$server_pid"
wait "$server_pid" || fail "the server did not stop cleanly on SIGTERM"
server_pid=""

$sudo_cmd dpkg --purge gaia >/dev/null
for f in /usr/bin/gaia_server /usr/lib/gaia /var/lib/gaia /etc/gaia/gaia.conf "$unit"; do
  [ ! -e "$f" ] || fail "$f is left after purge"
done
echo "test_package: ok"
