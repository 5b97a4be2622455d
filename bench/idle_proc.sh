# Sourced by the benchmarks that start gaia_server (bench/lib.sh, http_check_load.sh).
#
# idle_proc_root DIR: makes DIR/proc/{stat,meminfo} of a machine at rest (a CPU count that
#   never moves, memory mostly free) and prints DIR, for GAIA_PROC_ROOT. The benchmarks share
#   two cores with builds and their own load generator: read from the real /proc, that load
#   drives the load throttle down (to factor 0 on a busy box, where every check is answered
#   "overloaded" without being made), and a run would measure that answer instead of the check.
idle_proc_root() {
  mkdir -p "$1/proc"
  echo 'cpu  100 0 100 10000 0 0 0 0 0 0' >"$1/proc/stat"
  printf 'MemTotal: 16000000 kB\nMemAvailable: 15000000 kB\n' >"$1/proc/meminfo"
  echo "$1"
}
