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

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
server_bin="$root/build/$PRESET/src/app/gaia_server"
load_bin="$root/build/$PRESET/bench/rls_load"
[[ -x $server_bin && -x $load_bin ]] || die "build gaia_server and rls_load ($PRESET) first"

redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$bench_tmp" \
  --loglevel warning >"$bench_tmp/redis.log" 2>&1 &
bench_pids+=($!)
for _ in $(seq 100); do redis-cli -p "$redis_port" PING >/dev/null 2>&1 && break; sleep 0.05; done

# start NAME [VAR=VALUE...]: a server with the benchmark user in $bench_tmp/NAME; sets
# NAME_args, rls_load's arguments for it.
start() {
  local name=$1
  shift
  start_gaia "$bench_tmp/$name" GAIA_THREADS="$THREADS" "$@"
  make_bench_user
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
