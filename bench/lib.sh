# Sourced by the scripts of bench/ that start gaia_server (rls_load.sh, rls_instructions.sh,
# redis_http_check.sh): what each needs before it measures.
#
#   root        the repository
#   bench_tmp   a temporary directory, removed on exit with every server started by
#               start_gaia or listed in bench_pids (their last log lines on stderr on failure)
#   admin_key   the admin key every server is started with
#   log, die    messages on stderr, "[bench] ..."
#
# start_gaia DIR [VAR=VALUE...]: gaia_server ($server_bin; wrapped in gaia_wrapper, an array,
#   when set, e.g. valgrind) on SQLite in DIR, on ports of its own for HTTP and gRPC, with a
#   /proc at rest (idle_proc_root) unless VAR=VALUE says otherwise; waits up to
#   start_wait_s (default 10) seconds for the rate limit service. Sets server_pid, http_port,
#   grpc_port.
# make_bench_user [DAY]: on the server of http_port, the user "bench" whose day, week and month
#   quotas and per-minute rate for shell are all out of reach (four limits evaluated per check,
#   each admitted); sets key to a new key of that user. DAY sets the daily quota instead: with
#   DAY=1 every check after the first is refused by it, the four limits still evaluated.
# idle_proc_root DIR: bench/idle_proc.sh.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_tmp=$(mktemp -d /tmp/gaia-bench.XXXXXX)
bench_pids=()
admin_key=$(python3 -c 'import secrets; print(secrets.token_hex(24))')

log() { printf '[bench] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

bench_cleanup() {
  local rc=$? p
  for p in "${bench_pids[@]}"; do
    kill -TERM "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  if [[ $rc -ne 0 ]]; then
    find "$bench_tmp" -name gaia.log -exec tail -n 20 {} + >&2 2>/dev/null
  fi
  rm -rf "$bench_tmp"
  exit "$rc"
}
trap bench_cleanup EXIT

# shellcheck source=bench/idle_proc.sh
. "$root/bench/idle_proc.sh"

start_gaia() {
  local dir=$1
  shift
  mkdir -p "$dir"
  env DATABASE_URL="sqlite:$dir/gaia.db" GAIA_DATA_DIR="$dir/var" GAIA_ADMIN_KEY="$admin_key" \
    PORT=0 GAIA_RLS_PORT=0 GAIA_PROC_ROOT="$(idle_proc_root "$dir/idle")" "$@" \
    ${gaia_wrapper[@]+"${gaia_wrapper[@]}"} "$server_bin" >"$dir/gaia.log" 2>&1 &
  server_pid=$!
  bench_pids+=("$server_pid")
  local tries=$((${start_wait_s:-10} * 20))
  for _ in $(seq 1 "$tries"); do
    grep -qs '\[INFO\] Envoy rate limit service' "$dir/gaia.log" && break
    kill -0 "$server_pid" 2>/dev/null || die "gaia_server in $dir exited"
    sleep 0.05
  done
  http_port=$(sed -n 's/^.*\[INFO\] Starting HTTP server on .*:\([0-9]*\)$/\1/p' "$dir/gaia.log")
  grpc_port=$(sed -n 's/^.*\[INFO\] Envoy rate limit service (gRPC) on .*:\([0-9]*\)$/\1/p' \
    "$dir/gaia.log")
  [[ -n $http_port && -n $grpc_port ]] || die "no ports in the output of gaia_server in $dir"
}

# admin METHOD PATH BODY: an admin call to the server of http_port.
admin() {
  curl -sS -f -X "$1" -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    --data "$3" "http://127.0.0.1:$http_port$2"
}

make_bench_user() {
  admin POST /api/admin/users '{"name":"bench","tier":"default"}' >/dev/null
  admin PUT /api/admin/users/bench/overrides '{"limits":[
    {"kind":"calendar","period":"day","amount":'"${1:-2000000000}"',"type":"shell"},
    {"kind":"calendar","period":"week","amount":2000000000,"type":"shell"},
    {"kind":"calendar","period":"month","amount":2000000000,"type":"shell"},
    {"kind":"rate","amount":2000000000,"window_ms":60000,"type":"shell"}]}' >/dev/null
  key=$(admin POST /api/admin/users/bench/keys '{}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')
}
