#!/usr/bin/env bash
# The load test of load throttling: a CPU-burning load at several levels, and at each the
# throttle factor gaia_server reports and the commands it admits per second.
#
#   bash bench/throttle_load.sh            (after: cmake --build --preset release)
#
# Settings (environment): DUTIES (burner duty per core, default "0 0.6 0.75 0.85 0.93 1.0"),
# SETTLE (seconds for the smoothed load to follow, default 12), MEASURE (seconds, default 10),
# CLIENTS (default 4), PORT (default 18181).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/release
duties=${DUTIES:-"0 0.6 0.75 0.85 0.93 1.0"}
settle=${SETTLE:-12}
measure=${MEASURE:-10}
clients=${CLIENTS:-4}
port=${PORT:-18181}
cores=$(nproc)
key=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
data=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT

GAIA_ADMIN_KEY=$key "$build/src/app/gaia_server" --port "$port" \
  --database-url "sqlite:$data/gaia.db" --queue-max-wait-s 5 >"$data/server.log" 2>&1 &
for _ in $(seq 50); do curl -sf "localhost:$port/health" >/dev/null && break; sleep 0.1; done

# The load comes from a default-tier user (enterprise work is never delayed) whose key lifts
# the calendar quotas of `test`, so that only the throttle limits it.
curl -sf -X POST "localhost:$port/api/admin/users" -H "Authorization: Bearer $key" \
  -d '{"name":"load","tier":"default"}' >/dev/null
big='"amount":100000000,"type":"test"'
user_key=$(curl -sf -X POST "localhost:$port/api/admin/users/load/keys" \
  -H "Authorization: Bearer $key" \
  -d "{\"limits\":[{\"kind\":\"calendar\",\"period\":\"day\",$big},
                   {\"kind\":\"calendar\",\"period\":\"week\",$big},
                   {\"kind\":\"calendar\",\"period\":\"month\",$big}]}" |
  python3 -c "import json,sys; print(json.load(sys.stdin)['key'])")

field() { curl -s "localhost:$port/api/admin/health" -H "Authorization: Bearer $key" | python3 -c "import json,sys; print(json.load(sys.stdin)['executor']['$1'])"; }

printf '| burner duty x %s cores | CPU %% before -> during | throttle factor before -> during | commands/s |\n' "$cores"
printf '|---:|---:|---:|---:|\n'
for duty in $duties; do
  burners=()
  if [ "$duty" != "0" ]; then
    for _ in $(seq "$cores"); do
      "$build/bench/cpu_burn" "$duty" $((settle + measure + 5)) & burners+=($!)
    done
  fi
  sleep "$settle"
  cpu0=$(field cpu_pct) factor0=$(field throttle_factor)
  rate=$("$build/bench/exec_load" "$port" "$user_key" "$measure" "$clients" | cut -d" " -f1)
  printf '| %s | %.0f -> %.0f | %s -> %s | %s |\n' "$duty" "$cpu0" "$(field cpu_pct)" "$factor0" \
    "$(field throttle_factor)" "$rate"
  for pid in "${burners[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  sleep 3
done
