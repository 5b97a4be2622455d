#!/usr/bin/env bash
# The server's own instructions per call, ShouldRateLimit against POST /api/v1/check, and the
# check admitted against the check refused: a count
# that other work on the machine does not move, where bench/rls_load.sh's rates and CPU times
# do. Runs gaia_server under callgrind (user-space instructions only: the kernel's TCP work is
# not counted), makes the benchmark user of rls_load.sh, warms each phase up for a second,
# then counts the instructions of SECONDS_EACH seconds of it (rls_load --only) and divides by
# the calls answered. Slow (valgrind): a few hundred calls a second.
#
# The server does some work with no calls at all (its samplers and timers, about half a million
# instructions a second): on a busy machine, where valgrind answers fewer calls, that share of a
# call grows. So the same server is first counted for SECONDS_EACH idle seconds, and "a call"
# is also given net of that: what the calls themselves cost.
#
#   bench/rls_instructions.sh [server binary]   (default: build/$PRESET/src/app/gaia_server)
#
# Phases: http, the check admitted (four limits evaluated); refused, the same check by a user
# whose daily quota of 1 is used up in the warm-up (four limits evaluated, 429, the violation
# recorded); grpc, ShouldRateLimit admitted as http.
#
# Environment: PRESET=dev, SECONDS_EACH=3, CONCURRENCY=32, CHANNELS=4, PHASES="http grpc" (the
# phases to count, in order: any of http refused grpc), and KEEP_PROFILE=DIR to keep each
# phase's callgrind output there (DIR/http.cg, ...) for callgrind_annotate.
set -euo pipefail

PRESET=${PRESET:-dev}
SECONDS_EACH=${SECONDS_EACH:-3}
CONCURRENCY=${CONCURRENCY:-32}
CHANNELS=${CHANNELS:-4}
PHASES=${PHASES:-http grpc}

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
server_bin=${1:-$root/build/$PRESET/src/app/gaia_server}
load_bin="$root/build/$PRESET/bench/rls_load"
command -v valgrind >/dev/null || die "valgrind is needed"

# The instructions counted in the dump `$1` (callgrind's "totals:" line).
instructions() { awk '/^totals:/ { n += $2 } END { print n + 0 }' "$1"; }

count_phase() {  # $1: http, refused or grpc
  local tmp="$bench_tmp/$1" vpid out calls total idle
  gaia_wrapper=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$tmp/cg.out")
  start_wait_s=300 start_gaia "$tmp" GAIA_THREADS=2  # valgrind on a busy machine: minutes
  vpid=$server_pid
  if [[ $1 == refused ]]; then make_bench_user 1; else make_bench_user; fi
  local only=$1
  [[ $only == refused ]] && only=http
  local args=(--grpc-port "$grpc_port" --http-port "$http_port" --key "$key" --type shell
    --concurrency "$CONCURRENCY" --channels "$CHANNELS" --rounds 1 --only "$only")
  "$load_bin" "${args[@]}" --seconds 1 >/dev/null  # connections, caches, reused messages
  # Dump 1: the server idle; dump 2: the calls.
  callgrind_control -i on "$vpid" &>/dev/null
  callgrind_control -z "$vpid" &>/dev/null
  sleep "$SECONDS_EACH"
  callgrind_control -d "$vpid" &>/dev/null
  out=$("$load_bin" "${args[@]}" --seconds "$SECONDS_EACH")
  callgrind_control -i off "$vpid" &>/dev/null
  callgrind_control -d "$vpid" &>/dev/null
  kill -TERM "$vpid"
  wait "$vpid" 2>/dev/null || true
  idle=$(instructions "$tmp/cg.out.1")
  total=$(instructions "$tmp/cg.out.2")
  # The table's row: HTTP calls/s is column 3, ShouldRateLimit/s column 7.
  calls=$(echo "$out" | awk -F'|' -v phase="$1" -v s="$SECONDS_EACH" \
    '$2 ~ /^ 1 $/ { print (phase == "grpc" ? $7 : $3) * s }')
  awk -v p="$1" -v c="$calls" -v t="$total" -v i="$idle" 'BEGIN {
    printf "%-7s %8d calls  %8.0f instructions a call, %8.0f net of the idle server\n",
      p, c, t / c, (t - i) / c }'
  if [[ -n ${KEEP_PROFILE:-} ]]; then
    mkdir -p "$KEEP_PROFILE"
    # Zeroing leaves callgrind's "summary:" line wrong; callgrind_annotate reads it.
    sed "s/^summary: .*/summary: $total/" "$tmp/cg.out.2" >"$KEEP_PROFILE/$1.cg"
  fi
}

echo "server: $server_bin"
for phase in $PHASES; do count_phase "$phase"; done
