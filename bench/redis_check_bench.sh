#!/usr/bin/env bash
# Admission checks through Redis against redis-benchmark, same server, same function, same
# arguments, same run: bench/redis_check_bench.cc runs one node's Redis counter backend
# (FCALL gaia_check of counters.lua, four counters per check, all admitted) with CONCURRENCY
# checks in flight, and writes the FCALL of its check; redis-benchmark then sends exactly that
# call with CONCURRENCY clients. The difference in latency is what the node adds to Redis.
#
#   bench/redis_check_bench.sh            # 1.5 s: a smoke run on a shared machine
#   SECONDS_EACH=10 bench/redis_check_bench.sh
#
# Environment (all optional):
#   SECONDS_EACH=1.5  length of the backend's run (redis-benchmark sends as many calls)
#   CONCURRENCY=50    checks in flight (redis-benchmark -c)
#   BUILD=build/release  where redis_check_bench was built
#
# Prints CSV lines (name, calls/s, p50 ms, p99 ms, failed) for the backend and redis-benchmark,
# then the backend's share of redis-benchmark's rate and the p50/p99 it adds.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${SECONDS_EACH:-1.5}"
concurrency="${CONCURRENCY:-50}"
bench="${root}/${BUILD:-build/release}/bench/redis_check_bench"
[ -x "${bench}" ] || { echo "build redis_check_bench first (${bench})" >&2; exit 1; }

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

# The backend loads counters.lua itself (as gaia_server does) and leaves it loaded.
ours="$("${bench}" "redis://127.0.0.1:${port}" "${seconds}" "${concurrency}" "${dir}/argv")"
mapfile -t call <"${dir}/argv"
calls="$(echo "${ours}" | cut -d, -f2)"
requests="$(python3 -c "print(max(10000, int(${calls} * ${seconds})))")"
theirs="$(redis-benchmark -p "${port}" -c "${concurrency}" -n "${requests}" --csv "${call[@]}" |
  tail -1)"
# redis-benchmark's CSV: test, rps, avg, min, p50, p95, p99, max (ms).
theirs="$(echo "${theirs}" | tr -d '"' |
  awk -F, -v name="redis-benchmark -c ${concurrency}" '{printf "\"%s\",%.0f,%.3f,%.3f,0\n", name, $2, $5, $7}')"

echo "name,calls_per_s,p50_ms,p99_ms,failed"
echo "${ours}"
echo "${theirs}"
python3 -c "
o = '${ours}'.split(','); t = '${theirs}'.split(',')
print(f'gaia checks / redis-benchmark: {float(o[1]) / float(t[1]):.2f}')
print(f'added latency: p50 {float(o[2]) - float(t[2]):+.3f} ms, p99 {float(o[3]) - float(t[3]):+.3f} ms')"
