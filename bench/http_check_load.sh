#!/usr/bin/env bash
# Load comparison: gaia_server's `POST /api/v1/check` against nginx answering a fixed 200 on
# the same machine, both driven by wrk over keep-alive connections.
#
#   bench/http_check_load.sh
#
# Environment (all optional):
#   DURATION=10s         wrk duration of each measured run
#   CONNECTIONS=32       wrk connections (keep-alive)
#   WRK_THREADS=1        wrk threads
#   WARMUP=2s            wrk run before each measured run (discarded)
#   ROUNDS=3             rounds of all targets in turn; the table shows medians across rounds
#   SERVER_THREADS="1 2" server sizes to run: GAIA_THREADS=n against worker_processes n
#   KEEP_TMP=1           keep the working directory (configs, databases, server logs)
#
# Targets, for each server size n:
#   nginx             `return 200 '{"allowed":true}'`
#   nginx limit_req   the same behind limit_req (rate and burst too high to ever refuse)
#   gaia enterprise   check of type "shell" by an enterprise user: the tier has no quotas, so
#                     the check evaluates no limit (admitted, usage recorded)
#   gaia limited      check of type "shell" by a default-tier user whose own rule raises the
#                     day, week and month quotas and adds a per-minute rate, all out of reach:
#                     four limits evaluated, admitted, usage recorded
#   gaia premium      check of type "test" by a premium user whose daily quota (10 x 1,000) is
#                     used up during the warm-up: the refusal path (429, violation recorded)
#
# Besides the rate, each run reports the CPU time the server under test spent per request (user
# and system, all its threads or worker processes, from /proc) and wrk's own: on a machine
# that wrk and the server saturate together, the rate follows their sum, and the split says
# where a server's cost lies (its own code, or the kernel's TCP work, which both servers share).
#
# wrk and the servers share the machine's CPUs; the raw wrk outputs are kept in a results
# directory printed at the end. A shared machine's speed drifts, so the targets take turns, round
# after round, and each ratio is taken against nginx of the same round: `vs nginx` is the median
# of those ratios. Everything else (servers, working directory) is cleaned up
# on exit. Needs root for apt-get when wrk or nginx is missing.
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-1}
WARMUP=${WARMUP:-2s}
ROUNDS=${ROUNDS:-3}
SERVER_THREADS=${SERVER_THREADS:-1 2}
KEEP_TMP=${KEEP_TMP:-0}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/idle_proc.sh
. "$root/bench/idle_proc.sh"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- 1. tools ------------------------------------------------------------------------------
install_packages() {
  local missing=()
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing ${missing[*]}"
  # Keep the package's init script from starting a system nginx on port 80: a temporary
  # policy-rc.d (only when none exists) denies service starts during the install.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=1
  fi
  local rc=0 out
  out=$({ DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } 2>&1) || rc=$?
  [[ $added_policy -eq 1 ]] && rm -f "$policy"
  [[ $rc -eq 0 ]] || die "apt-get install ${missing[*]} failed: $out"
}
install_packages
NGINX=$(command -v nginx)

# --- working directory and cleanup -----------------------------------------------------------
tmp=$(mktemp -d /tmp/gaia-http-bench.XXXXXX)
results=$(mktemp -d /tmp/gaia-http-bench-results.XXXXXX)
pids=()

cleanup() {
  local rc=$?
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  if [[ $rc -ne 0 ]]; then
    for f in "$tmp"/*.log "$tmp"/*/*.log; do
      [[ -s $f ]] && { log "--- tail of $f"; tail -n 20 "$f" >&2; }
    done
  fi
  if [[ $KEEP_TMP == 1 ]]; then log "kept working directory $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until `url` answers (any HTTP status) or `pid` dies.
wait_http() {
  local url=$1 pid=$2
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || die "process $pid exited before $url answered"
    curl -s -o /dev/null "$url" && return 0
    sleep 0.05
  done
  die "$url did not answer within 10 s"
}

# --- 2. build --------------------------------------------------------------------------------
log "building gaia_server (release preset)"
(cd "$root" && cmake --preset release >/dev/null &&
  cmake --build --preset release -j 2 --target gaia_server) >"$tmp/build.log" 2>&1 ||
  die "build failed (see the log above)"
server_bin="$root/build/release/src/app/gaia_server"
[[ -x $server_bin ]] || die "no $server_bin after the build"

# --- 3. nginx --------------------------------------------------------------------------------
# start_nginx NAME WORKERS PORT LIMIT_REQ(0|1): sets started_pid to the master's pid.
started_pid=""
start_nginx() {
  local name=$1 workers=$2 port=$3 limit=$4
  local dir="$tmp/$name"
  mkdir -p "$dir"
  local zone="" rule=""
  if [[ $limit == 1 ]]; then
    # shellcheck disable=SC2016  # nginx variables, not shell ones
    zone='limit_req_zone $binary_remote_addr zone=z:10m rate=1000000r/s;'
    rule='limit_req zone=z burst=1000000 nodelay;'
  fi
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $workers;
user root;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  $zone
  server {
    listen 127.0.0.1:$port;
    location / {
      $rule
      default_type application/json;
      return 200 '{"allowed":true}';
    }
  }
}
EOF
  "$NGINX" -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/nginx.log" 2>&1 ||
    die "nginx rejects $dir/nginx.conf: $(cat "$dir/nginx.log")"
  "$NGINX" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >>"$dir/nginx.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  wait_http "http://127.0.0.1:$port/" "$started_pid"
}

# --- 4. gaia_server --------------------------------------------------------------------------
gaia_pid=""
gaia_port=""
start_gaia() {
  local name=$1 threads=$2
  local dir="$tmp/$name"
  mkdir -p "$dir"
  gaia_port=$(free_port)
  # An idle /proc: the run measures the check, not the load throttle (bench/idle_proc.sh).
  DATABASE_URL="sqlite:$dir/gaia.db" GAIA_ADMIN_KEY="$admin_key" PORT="$gaia_port" \
    GAIA_THREADS="$threads" GAIA_PROC_ROOT="$(idle_proc_root "$dir/idle")" \
    "$server_bin" >"$dir/gaia.log" 2>&1 &
  gaia_pid=$!
  pids+=("$gaia_pid")
  wait_http "http://127.0.0.1:$gaia_port/health" "$gaia_pid"
}

admin() {  # admin METHOD PATH BODY: prints the response body, fails on a non-2xx status
  curl -sS -f -X "$1" -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    --data "$3" "http://127.0.0.1:$gaia_port$2"
}

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

new_key() {  # new_key USER TIER: creates the user and prints a fresh user key
  admin POST /api/admin/users "{\"name\":\"$1\",\"tier\":\"$2\"}" >/dev/null
  admin POST "/api/admin/users/$1/keys" '{}' | json_field key
}

# --- 5. wrk ----------------------------------------------------------------------------------
write_lua() {  # write_lua FILE KEY TYPE
  cat >"$1" <<EOF
wrk.method = "POST"
wrk.body = '{"type":"$3"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $2"
EOF
}

check_once() {  # check_once URL LUA-KEY TYPE: prints "status body" of one request
  curl -s -w ' (HTTP %{http_code})' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $2" --data "{\"type\":\"$3\"}" "$1"
}

rows=()   # "size|round|target|req/s|p99|non-2xx|requests|server user ticks|server sys ticks|wrk user+sys s|raw file"

# cpu_ticks PID...: "user system" clock ticks the processes have used, all threads counted.
cpu_ticks() {
  local pid pid_user pid_sys user=0 sys=0
  for pid in "$@"; do
    # Fields 14 and 15 of /proc/PID/stat, counted after the command name (which may hold spaces).
    read -r pid_user pid_sys < <(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f12,13)
    user=$((user + pid_user))
    sys=$((sys + pid_sys))
  done
  echo "$user $sys"
}

# run_wrk SIZE ROUND TARGET URL LUA PID...: the PIDs are the server's processes.
run_wrk() {
  local size=$1 round=$2 target=$3 url=$4 lua=$5
  shift 5
  local slug out
  slug=$(echo "${size}-${round}-${target}" | tr ' /()' '____')
  out="$results/$slug.txt"
  if [[ $WARMUP != 0 && $WARMUP != 0s ]]; then
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$lua" "$url" >/dev/null
  fi
  log "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency: $target ($size, round $round)"
  local user0 sys0 user1 sys1 wrk_cpu TIMEFORMAT='%U+%S'
  read -r user0 sys0 < <(cpu_ticks "$@")
  wrk_cpu=$({ time wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$lua" \
    "$url" >"$out"; } 2>&1)
  read -r user1 sys1 < <(cpu_ticks "$@")
  local rps p99 non2xx requests
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  requests=$(awk '/requests in/ {print $1}' "$out")
  [[ -n $rps && -n $p99 && -n $requests ]] || die "cannot parse $out"
  rows+=("$size|$round|$target|$rps|$p99|${non2xx:-0}|$requests|$((user1 - user0))|$((sys1 - sys0))|$wrk_cpu|$out")
}

# The processes of the nginx whose master is $1: the master and its workers.
nginx_processes() { echo "$1" $(pgrep -P "$1"); }

admin_key=$(python3 -c 'import secrets, string; a = string.ascii_letters + string.digits; print("".join(secrets.choice(a) for _ in range(40)))')

log "CPUs: $(nproc); wrk and the servers share them"
for n in $SERVER_THREADS; do
  size="${n} thr"
  nginx_port=$(free_port)
  start_nginx "nginx-$n" "$n" "$nginx_port" 0
  nginx_pid=$started_pid
  limit_port=$(free_port)
  start_nginx "nginx-limit-$n" "$n" "$limit_port" 1
  limit_pid=$started_pid
  start_gaia "gaia-$n" "$n"

  ent_key=$(new_key "bench" enterprise)
  lim_key=$(new_key "bench-limited" default)
  admin PUT /api/admin/users/bench-limited/overrides '{"limits":[
    {"kind":"calendar","period":"day","amount":2000000000,"type":"shell"},
    {"kind":"calendar","period":"week","amount":2000000000,"type":"shell"},
    {"kind":"calendar","period":"month","amount":2000000000,"type":"shell"},
    {"kind":"rate","amount":2000000000,"window_ms":60000,"type":"shell"}]}' >/dev/null
  prem_key=$(new_key "bench-premium" premium)
  write_lua "$tmp/gaia-$n/enterprise.lua" "$ent_key" shell
  write_lua "$tmp/gaia-$n/premium.lua" "$prem_key" test
  write_lua "$tmp/gaia-$n/limited.lua" "$lim_key" shell
  check_url="http://127.0.0.1:$gaia_port/api/v1/check"
  log "enterprise check: $(check_once "$check_url" "$ent_key" shell)"
  log "limited check: $(check_once "$check_url" "$lim_key" shell)"
  # Use up the premium user's daily "test" quota (10,000) so its runs are refusals.
  for _ in 1 2 3 4 5; do
    [[ $(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $prem_key" --data '{"type":"test"}' "$check_url") == 429 ]] && break
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s -s "$tmp/gaia-$n/premium.lua" "$check_url" >/dev/null
  done
  log "premium check after the quota is used up: $(check_once "$check_url" "$prem_key" test)"

  for round in $(seq 1 "$ROUNDS"); do
    # shellcheck disable=SC2046  # one word per process
    run_wrk "$size" "$round" "nginx" "http://127.0.0.1:$nginx_port/api/v1/check" \
      "$tmp/gaia-$n/enterprise.lua" $(nginx_processes "$nginx_pid")
    # shellcheck disable=SC2046
    run_wrk "$size" "$round" "nginx limit_req" "http://127.0.0.1:$limit_port/api/v1/check" \
      "$tmp/gaia-$n/enterprise.lua" $(nginx_processes "$limit_pid")
    run_wrk "$size" "$round" "gaia enterprise shell" "$check_url" "$tmp/gaia-$n/enterprise.lua" \
      "$gaia_pid"
    run_wrk "$size" "$round" "gaia limited shell" "$check_url" "$tmp/gaia-$n/limited.lua" \
      "$gaia_pid"
    run_wrk "$size" "$round" "gaia premium test (429)" "$check_url" "$tmp/gaia-$n/premium.lua" \
      "$gaia_pid"
  done

  for pid in "$gaia_pid" "$nginx_pid" "$limit_pid"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$gaia_pid" "$nginx_pid" "$limit_pid"; do wait "$pid" 2>/dev/null || true; done
  pids=()
done

# --- 6. summary ------------------------------------------------------------------------------
echo
echo "HTTP check load: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, keep-alive," \
  "POST {\"type\":...} with a Bearer key"
echo "$(nproc) CPUs shared by wrk and the server under test; 'n thr' = GAIA_THREADS=n io threads" \
  "against nginx worker_processes n."
echo "gaia enterprise: the tier has no quotas, so the check evaluates no limit (admitted, usage recorded)."
echo "gaia limited: a default-tier user's own day, week, month and per-minute limits, all out of"
echo "  reach: four limits evaluated per check (admitted, usage recorded)."
echo "gaia premium test: daily quota used up before the run, every check refused (429, violation recorded)."
echo
echo "Medians over $ROUNDS round(s); vs nginx and vs limit_req are the medians of each round's"
echo "ratios to plain nginx and to nginx limit_req. server us/req: the server's CPU time per request,"
echo "user + system (all its threads or processes); wrk us/req: wrk's own."
echo
printf '%s\n' "${rows[@]}" | python3 -c '
import os, statistics, sys
tick = 1.0 / os.sysconf("SC_CLK_TCK")
rows = [line.rstrip("\n").split("|") for line in sys.stdin if line.strip()]
def seconds(p99):  # wrk prints 850.00us, 1.20ms or 1.05s
    for unit, scale in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0)):
        if p99.endswith(unit):
            return float(p99[: -len(unit)]) * scale
    return float(p99)
def shown(s):
    return "%.0f us" % (s * 1e6) if s < 1e-3 else "%.2f ms" % (s * 1e3)
def per_round(name):
    return {(r[0], r[1]): float(r[3]) for r in rows if r[2] == name}
nginx, limit_req = per_round("nginx"), per_round("nginx limit_req")
order, runs = [], {}
for size, rnd, target, rps, p99, non2xx, requests, user, sys_, wrk_s, _ in rows:
    key = (size, target)
    if key not in runs:
        order.append(key)
        runs[key] = []
    n = float(requests)
    runs[key].append({"rps": float(rps), "p99": seconds(p99), "non2xx": int(non2xx),
                      "vs_nginx": float(rps) / nginx[(size, rnd)],
                      "vs_limit_req": float(rps) / limit_req[(size, rnd)],
                      "user": int(user) * tick / n * 1e6, "sys": int(sys_) * tick / n * 1e6,
                      "wrk": sum(float(x) for x in wrk_s.split("+")) / n * 1e6})
def median(r, field):
    return statistics.median(x[field] for x in r)
print("| %-6s | %-24s | %9s | %8s | %7s | %8s | %12s | %18s | %8s |" % ("server", "target",
      "req/s", "p99", "non-2xx", "vs nginx", "vs limit_req", "server us/req u+s", "wrk us/req"))
print("|--------|--------------------------|----------:|---------:|--------:|---------:|"
      "-------------:|-------------------:|---------:|")
for size, target in order:
    r = runs[(size, target)]
    cpu = "%.2f + %.2f" % (median(r, "user"), median(r, "sys"))
    print("| %-6s | %-24s | %9.0f | %8s | %7d | %8.2f | %12.2f | %18s | %8.2f |" % (size, target,
          median(r, "rps"), shown(median(r, "p99")), sum(x["non2xx"] for x in r),
          median(r, "vs_nginx"), median(r, "vs_limit_req"), cpu, median(r, "wrk")))
'
echo
echo "Raw wrk outputs: $results"
