#!/usr/bin/env bash
# Envoy's rate limit service against the HTTP check, in one run: starts gaia_server with
# GAIA_RLS_PORT, makes a user whose own day, week and month quotas and per-minute rate are all
# out of reach (four limits evaluated per check, each admitted and recorded as usage), and runs
# bench/rls_load.cc: POST /api/v1/check over HTTP/1.1 keep-alive and ShouldRateLimit over gRPC,
# the same key and type, in turns, round after round.
#
#   bench/rls_load.sh [server binary]     # default: the preset's gaia_server
#
# Environment (all optional):
#   PRESET=release   the build to use (dev is quicker to build, slower to run)
#   SECONDS_EACH=5   seconds of each phase
#   CONCURRENCY=32   requests in flight in each phase
#   CHANNELS=4       gRPC connections
#   GRPC_THREADS=1   the load generator's gRPC polling threads
#   ROUNDS=3         rounds of both phases
#   THREADS=2        the server's GAIA_THREADS (HTTP io threads)
#   RLS_THREADS=     the server's GAIA_RLS_THREADS (unset: its default, half the CPUs)
set -euo pipefail

PRESET=${PRESET:-release}
SECONDS_EACH=${SECONDS_EACH:-5}
CONCURRENCY=${CONCURRENCY:-32}
CHANNELS=${CHANNELS:-4}
GRPC_THREADS=${GRPC_THREADS:-1}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
RLS_THREADS=${RLS_THREADS:-}

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

log "building gaia_server and rls_load ($PRESET preset)"
(cd "$root" && cmake --preset "$PRESET" >/dev/null &&
  nice -n 10 cmake --build --preset "$PRESET" -j 2 --target gaia_server rls_load) \
  >"$bench_tmp/build.log" 2>&1 || { tail -n 30 "$bench_tmp/build.log" >&2; die "build failed"; }
server_bin="${1:-$root/build/$PRESET/src/app/gaia_server}"
load_bin="$root/build/$PRESET/bench/rls_load"

start_gaia "$bench_tmp/server" GAIA_THREADS="$THREADS" ${RLS_THREADS:+GAIA_RLS_THREADS="$RLS_THREADS"}
make_bench_user

log "CPUs: $(nproc), shared by the load generator and the server"
echo "rls_load: $SECONDS_EACH s per phase, $CONCURRENCY in flight, $CHANNELS gRPC connections" \
  "polled by $GRPC_THREADS threads," \
  "GAIA_THREADS=$THREADS, GAIA_RLS_THREADS=${RLS_THREADS:-default}, $PRESET build"
"$load_bin" --grpc-port "$grpc_port" --http-port "$http_port" --key "$key" --type shell \
  --seconds "$SECONDS_EACH" --concurrency "$CONCURRENCY" --channels "$CHANNELS" \
  --grpc-threads "$GRPC_THREADS" --rounds "$ROUNDS" \
  --server-pid "$server_pid"
