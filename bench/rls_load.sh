#!/usr/bin/env bash
# Envoy's rate limit service against the HTTP check, in one run: starts gaia_server with
# GAIA_RLS_PORT, makes a user whose own day, week and month quotas and per-minute rate are all
# out of reach (four limits evaluated per check, each admitted and recorded as usage), and runs
# bench/rls_load.cc: POST /api/v1/check over HTTP/1.1 keep-alive and ShouldRateLimit over gRPC,
# the same key and type, in turns, round after round.
#
#   bench/rls_load.sh
#
# Environment (all optional):
#   PRESET=release   the build to use (dev is quicker to build, slower to run)
#   SECONDS_EACH=5   seconds of each phase
#   CONCURRENCY=32   requests in flight in each phase
#   CHANNELS=4       gRPC connections
#   GRPC_THREADS=1   the load generator's gRPC polling threads
#   ROUNDS=3         rounds of both phases
#   THREADS=2        the server's GAIA_THREADS (HTTP io threads; gRPC sizes its own pool)
set -euo pipefail

PRESET=${PRESET:-release}
SECONDS_EACH=${SECONDS_EACH:-5}
CONCURRENCY=${CONCURRENCY:-32}
CHANNELS=${CHANNELS:-4}
GRPC_THREADS=${GRPC_THREADS:-1}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/rls_idle_proc.sh
. "$root/bench/rls_idle_proc.sh"
log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

tmp=$(mktemp -d /tmp/gaia-rls-bench.XXXXXX)
server_pid=""
cleanup() {
  local rc=$?
  [[ -n $server_pid ]] && { kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; }
  [[ $rc -ne 0 && -f $tmp/gaia.log ]] && tail -n 20 "$tmp/gaia.log" >&2
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT

log "building gaia_server and rls_load ($PRESET preset)"
(cd "$root" && cmake --preset "$PRESET" >/dev/null &&
  nice -n 10 cmake --build --preset "$PRESET" -j 2 --target gaia_server rls_load) \
  >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log" >&2; die "build failed"; }
server_bin="$root/build/$PRESET/src/app/gaia_server"
load_bin="$root/build/$PRESET/bench/rls_load"

admin_key=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
DATABASE_URL="sqlite:$tmp/gaia.db" GAIA_DATA_DIR="$tmp/var" GAIA_ADMIN_KEY="$admin_key" PORT=0 \
  GAIA_PROC_ROOT="$(idle_proc_root "$tmp/idle")" \
  GAIA_RLS_PORT=0 GAIA_THREADS="$THREADS" "$server_bin" >"$tmp/gaia.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
  grep -q '^\[INFO\] Envoy rate limit service' "$tmp/gaia.log" && break
  kill -0 "$server_pid" 2>/dev/null || die "gaia_server exited"
  sleep 0.05
done
http_port=$(sed -n 's/^\[INFO\] Starting HTTP server on .*:\([0-9]*\)$/\1/p' "$tmp/gaia.log")
grpc_port=$(sed -n 's/^\[INFO\] Envoy rate limit service (gRPC) on .*:\([0-9]*\)$/\1/p' "$tmp/gaia.log")
[[ -n $http_port && -n $grpc_port ]] || die "no ports in the server's output"

admin() {
  curl -sS -f -X "$1" -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    --data "$3" "http://127.0.0.1:$http_port$2"
}
admin POST /api/admin/users '{"name":"bench","tier":"default"}' >/dev/null
admin PUT /api/admin/users/bench/overrides '{"limits":[
  {"kind":"calendar","period":"day","amount":2000000000,"type":"shell"},
  {"kind":"calendar","period":"week","amount":2000000000,"type":"shell"},
  {"kind":"calendar","period":"month","amount":2000000000,"type":"shell"},
  {"kind":"rate","amount":2000000000,"window_ms":60000,"type":"shell"}]}' >/dev/null
key=$(admin POST /api/admin/users/bench/keys '{}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')

log "CPUs: $(nproc), shared by the load generator and the server"
echo "rls_load: $SECONDS_EACH s per phase, $CONCURRENCY in flight, $CHANNELS gRPC connections" \
  "polled by $GRPC_THREADS threads," \
  "GAIA_THREADS=$THREADS, $PRESET build"
"$load_bin" --grpc-port "$grpc_port" --http-port "$http_port" --key "$key" --type shell \
  --seconds "$SECONDS_EACH" --concurrency "$CONCURRENCY" --channels "$CHANNELS" \
  --grpc-threads "$GRPC_THREADS" --rounds "$ROUNDS" \
  --server-pid "$server_pid"
