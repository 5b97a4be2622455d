#!/usr/bin/env bash
# POST /api/v1/check on one node with its counters in Redis against the same node's in-memory
# default, in one run: starts a Redis and two gaia_server (SQLite each, the same user whose
# day, week and month quotas and per-minute rate are all out of reach: four limits evaluated
# per check, all admitted), and runs bench/rls_load.cc against each in turn, round after
# round. The HTTP columns are the comparison (rls_load also measures ShouldRateLimit).
#
#   bench/redis_http_check.sh              # 2 s phases, 2 rounds: a smoke run
#   SECONDS_EACH=10 ROUNDS=3 bench/redis_http_check.sh
#
# Environment (all optional): PRESET=release, SECONDS_EACH=2, CONCURRENCY=32, ROUNDS=2,
# THREADS=2 (each server's GAIA_THREADS).
set -euo pipefail

PRESET=${PRESET:-release}
SECONDS_EACH=${SECONDS_EACH:-2}
CONCURRENCY=${CONCURRENCY:-32}
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-2}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
server_bin="$root/build/$PRESET/src/app/gaia_server"
load_bin="$root/build/$PRESET/bench/rls_load"
[[ -x $server_bin && -x $load_bin ]] || die "build gaia_server and rls_load ($PRESET) first"

tmp=$(mktemp -d /tmp/gaia-redis-http.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT

redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" \
  --loglevel warning >"$tmp/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$redis_port" PING >/dev/null 2>&1 && break; sleep 0.05; done

admin_key=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
# start NAME [ENV...]: a server in $tmp/NAME; sets http_port, grpc_port, key.
start() {
  local name=$1
  shift
  mkdir -p "$tmp/$name"
  env DATABASE_URL="sqlite:$tmp/$name/gaia.db" GAIA_DATA_DIR="$tmp/$name/var" \
    GAIA_ADMIN_KEY="$admin_key" PORT=0 GAIA_RLS_PORT=0 GAIA_THREADS="$THREADS" "$@" \
    "$server_bin" >"$tmp/$name/gaia.log" 2>&1 &
  pids+=($!)
  server_pid=$!
  for _ in $(seq 1 200); do
    grep -q '^\[INFO\] Envoy rate limit service' "$tmp/$name/gaia.log" && break
    kill -0 "$server_pid" 2>/dev/null || { tail "$tmp/$name/gaia.log" >&2; die "$name exited"; }
    sleep 0.05
  done
  http_port=$(sed -n 's/^\[INFO\] Starting HTTP server on .*:\([0-9]*\)$/\1/p' "$tmp/$name/gaia.log")
  grpc_port=$(sed -n 's/^\[INFO\] Envoy rate limit service (gRPC) on .*:\([0-9]*\)$/\1/p' "$tmp/$name/gaia.log")
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
  eval "${name}_args=(--grpc-port $grpc_port --http-port $http_port --key $key --server-pid $server_pid)"
}
start memory
start redis GAIA_REDIS_URL="redis://127.0.0.1:$redis_port" GAIA_REDIS_FAILURE=closed

log "CPUs: $(nproc), shared by the load generator, both servers and Redis"
echo "rls_load's columns: | round | HTTP check/s | p50 | p99 | per server CPU-s |" \
  "ShouldRateLimit/s | p50 | p99 | per server CPU-s | ratio | ratio per CPU-s |"
for round in $(seq 1 "$ROUNDS"); do
  for name in memory redis; do
    args_var="${name}_args[@]"
    echo "round $round, counters: $name"
    "$load_bin" "${!args_var}" --type shell --seconds "$SECONDS_EACH" \
      --concurrency "$CONCURRENCY" --rounds 1 | sed -n '3p'
  done
done
