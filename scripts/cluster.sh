#!/usr/bin/env bash
# A Gaia cluster on this machine, on loopback only, for trying it out (`make cluster`):
# PostgreSQL, Redis, three gaia_server nodes sharing them, and HAProxy in front. Prints the
# URL and the admin key, then waits; Ctrl-C (or SIGTERM) stops everything it started and
# removes its files.
#
#   scripts/cluster.sh [BUILD_DIR]   (default build/release; gaia_server must be built)
#
# Ports: HAProxy on GAIA_CLUSTER_PORT (default 8080), the nodes on the three ports after it,
# PostgreSQL on +10, Redis on +11. Every node hashes keys with one secret (key.secret, copied
# from the first node), as every node of a real deployment must.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
server=$build/src/app/gaia_server
front=${GAIA_CLUSTER_PORT:-8080}
pg_port=$((front + 10))
redis_port=$((front + 11))
pg_bin=/usr/lib/postgresql/15/bin
haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)

[[ -x $server ]] || { echo "no $server: build it first (make build-server)" >&2; exit 1; }
for tool in "$pg_bin/initdb" "$pg_bin/pg_ctl" "$haproxy" "$(command -v redis-server)"; do
  [[ -x $tool ]] || { echo "missing $tool: run make setup" >&2; exit 1; }
done

work=$(mktemp -d /tmp/gaia-cluster.XXXXXX)
chmod 755 "$work"
pids=()

# PostgreSQL refuses to run as root: it runs as the postgres account then.
as_postgres() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_all() {
  trap - INT TERM EXIT
  echo
  echo "stopping the cluster..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
  echo "stopped"
}
trap stop_all INT TERM EXIT

echo "PostgreSQL on 127.0.0.1:$pg_port"
mkdir -p "$work/pg"
[[ $(id -u) == 0 ]] && chown postgres "$work/pg"
as_postgres "$pg_bin/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 --locale=C --no-sync \
  >"$work/initdb.log" 2>&1
as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=" start >/dev/null
database_url="postgresql://postgres@127.0.0.1:$pg_port/postgres"

echo "Redis on 127.0.0.1:$redis_port"
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
  --maxmemory-policy noeviction --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
redis_url="redis://127.0.0.1:$redis_port"

admin_key=gaia_admin_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
backends=""
for i in 1 2 3; do
  port=$((front + i))
  dir="$work/node$i"
  mkdir -p "$dir"
  [[ $i -gt 1 ]] && cp "$work/node1/key.secret" "$dir/key.secret"
  echo "node $i on 127.0.0.1:$port (log: $dir/server.log)"
  DATABASE_URL=$database_url GAIA_REDIS_URL=$redis_url GAIA_ADMIN_KEY=$admin_key \
    GAIA_DATA_DIR=$dir PORT=$port GAIA_BIND=127.0.0.1 "$server" >"$dir/server.log" 2>&1 &
  pids+=($!)
  # The next node copies this one's key secret, and migrations run once: wait until it serves.
  for _ in $(seq 1 100); do
    grep -q '^\[INFO\] Health:' "$dir/server.log" 2>/dev/null && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.2
  done
  grep -q '^\[INFO\] Health:' "$dir/server.log" || { cat "$dir/server.log" >&2; exit 1; }
  backends+="  server node$i 127.0.0.1:$port check"$'\n'
done

cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
frontend gaia
  bind 127.0.0.1:$front
  default_backend nodes
backend nodes
  balance roundrobin
  option httpchk GET /ready
$backends
CFG
"$haproxy" -W -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)

cat <<MSG

Gaia cluster: three nodes behind HAProxy
  URL:        http://127.0.0.1:$front/admin/quotas   (API and WebSocket on the same address)
  admin key:  $admin_key
  cluster:    curl -H 'Authorization: Bearer $admin_key' http://127.0.0.1:$front/api/admin/cluster
  files:      $work
Press Ctrl-C to stop everything.
MSG
wait "${pids[@]}"
