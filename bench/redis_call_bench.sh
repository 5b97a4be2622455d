#!/usr/bin/env bash
# Redis calls through Gaia's client against redis-benchmark, same server, same function, same
# arguments, same run: FCALL gaia_bench 1 bench:counter 1 (an INCRBY in a Redis function), with
# CONCURRENCY calls in flight each (redis-benchmark: that many clients, no pipelining).
#
#   bench/redis_call_bench.sh            # 1.5 s each: a smoke run on a shared machine
#   SECONDS_EACH=10 bench/redis_call_bench.sh
#
# Environment (all optional):
#   SECONDS_EACH=1.5  length of each side's run
#   CONCURRENCY=50    calls in flight (redis-benchmark -c)
#   IO_THREADS=1      the client's io threads (one connection each); redis-benchmark runs one
#   BUILD=build/release  where redis_call_bench was built
#
# Prints CSV lines (name, calls/s, p50 ms, p99 ms) for the client, redis-benchmark with
# CONCURRENCY clients (the yardstick: at least 0.8 x its rate), and redis-benchmark with one client pipelining
# CONCURRENCY calls (what the client does on its connection), then the client's share of the
# first redis-benchmark rate. The server is started here on a free loopback port, with no
# persistence, and stopped at the end.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${SECONDS_EACH:-1.5}"
concurrency="${CONCURRENCY:-50}"
io_threads="${IO_THREADS:-1}"
bench="${root}/${BUILD:-build/release}/bench/redis_call_bench"
[ -x "${bench}" ] || { echo "build redis_call_bench first (${bench})" >&2; exit 1; }

dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
redis-server --port "${port}" --bind 127.0.0.1 --save "" --appendonly no --dir "${dir}" \
  --loglevel warning >"${dir}/redis.log" 2>&1 &
server=$!
trap 'kill "${server}" 2>/dev/null; wait "${server}" 2>/dev/null; rm -rf "${dir}"' EXIT
for _ in $(seq 100); do
  redis-cli -p "${port}" PING >/dev/null 2>&1 && break
  sleep 0.05
done

library=$'#!lua name=gaia_bench\nredis.register_function(\'gaia_bench\', function(keys, args)\n  return redis.call(\'INCRBY\', keys[1], args[1])\nend)\n'
redis-cli -p "${port}" FUNCTION LOAD REPLACE "${library}" >/dev/null

ours="$("${bench}" "redis://127.0.0.1:${port}" "${seconds}" "${concurrency}" "${io_threads}")"
# redis-benchmark counts requests, not seconds: as many as the client made in its run.
calls="$(echo "${ours}" | cut -d, -f2)"
requests="$(python3 -c "print(max(10000, int(${calls} * ${seconds})))")"
theirs="$(redis-benchmark -p "${port}" -c "${concurrency}" -n "${requests}" --csv \
  FCALL gaia_bench 1 bench:counter 1 | tail -1)"
# The same calls from one client pipelining CONCURRENCY at a time, as Gaia's client does.
piped="$(redis-benchmark -p "${port}" -c 1 -P "${concurrency}" -n "${requests}" --csv \
  FCALL gaia_bench 1 bench:counter 1 | tail -1)"
# redis-benchmark's CSV: test, rps, avg, min, p50, p95, p99, max (ms).
row() { echo "$2" | tr -d '"' | awk -F, -v name="$1" '{printf "\"%s\",%.0f,%.3f,%.3f,0\n", name, $2, $5, $7}'; }
theirs="$(row "redis-benchmark -c ${concurrency}" "${theirs}")"
piped="$(row "redis-benchmark -c 1 -P ${concurrency}" "${piped}")"

echo "name,calls_per_s,p50_ms,p99_ms,failed"
echo "${ours}"
echo "${theirs}"
echo "${piped}"
python3 -c "
ours = float('${ours}'.split(',')[1]); theirs = float('${theirs}'.split(',')[1])
print(f'gaia client / redis-benchmark: {ours / theirs:.2f}')"
