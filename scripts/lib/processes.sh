# shellcheck shell=bash
# scripts/lib/processes.sh: free loopback ports, processes started in the
# background and stopped by their PID (never by name), and waiting until
# they answer. Sources base.sh, whose EXIT trap stops them.
#
#   free_port VAR            VAR (or ARRAY[KEY]) = a port of 127.0.0.1 that
#                            nothing listens on and this script was not given before
#   spawn NAME LOG DIR CMD [ARG...]
#                            CMD in the background in DIR, stdout and stderr
#                            to LOG, tracked as a service; SPAWNED_PID is its PID
#   track_pid PID NAME [LOG] a service: stopped at exit, checked by assert_alive
#   track_job PID NAME       a bounded job (a load run): only stopped at exit
#   forget_pid PID           no longer ours to stop (it was killed on purpose)
#   stop_pid PID [GRACE]     SIGTERM, SIGKILL after GRACE s (15), reaped, forgotten
#   stop_started             stop_pid on every tracked PID, newest first (at exit)
#   keep_started             forget them all: they outlive the script
#   started_pids             the tracked PIDs, oldest first
#   assert_alive             die when a tracked service has exited
#   wait_for_url WHAT URL PID [SECS]         until GET URL answers 2xx
#   wait_for_tcp WHAT HOST PORT PID [SECS]   until HOST:PORT takes a connection
#   wait_for_cmd WHAT PID SECS CMD [ARG...]  until CMD succeeds
# Each wait gives up after SECS (default 60) and dies at once when PID
# exits, showing the end of its log.
#
# Call these in the script's own shell, not in $(...) or a pipeline: a
# subshell's PIDs and ports are lost to the parent.

[[ -n "${_LETAO_LIB_PROCESSES:-}" ]] && return 0
_LETAO_LIB_PROCESSES=1
# shellcheck source=scripts/lib/base.sh
source "$(dirname "${BASH_SOURCE[0]}")/base.sh"

_LIB_PIDS=()
declare -A _LIB_PID_NAME=() _LIB_PID_LOG=() _LIB_PID_KIND=()
_LIB_PORTS=" "

free_port() {
  [[ "$1" =~ ^[A-Za-z_][A-Za-z0-9_]*(\[[^]]+\])?$ ]] || die "free_port: '$1' is not a variable name"
  # Local names of their own: printf -v sets the caller's variable only
  # when no local of this function has its name.
  local _lib_port _lib_try
  for _lib_try in 1 2 3 4 5 6 7 8 9 10; do
    _lib_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')" ||
      die "python3 could not bind a free port on 127.0.0.1"
    if [[ "$_LIB_PORTS" != *" $_lib_port "* ]]; then
      _LIB_PORTS+="$_lib_port "
      printf -v "$1" '%s' "$_lib_port"
      return 0
    fi
  done
  die "no port not given before in $_lib_try tries"
}

spawn() {
  local name="$1" logfile="$2" dir="$3"
  shift 3
  (cd "$dir" && exec "$@") >"$logfile" 2>&1 &
  SPAWNED_PID=$!
  track_pid "$SPAWNED_PID" "$name" "$logfile"
}

track_pid() {
  _LIB_PIDS+=("$1")
  _LIB_PID_NAME[$1]="$2"
  _LIB_PID_LOG[$1]="${3:-}"
  _LIB_PID_KIND[$1]=service
}

track_job() {
  track_pid "$1" "$2"
  _LIB_PID_KIND[$1]=job
}

forget_pid() {
  local keep=() p
  for p in "${_LIB_PIDS[@]}"; do
    [[ "$p" == "$1" ]] || keep+=("$p")
  done
  _LIB_PIDS=("${keep[@]}")
  unset "_LIB_PID_NAME[$1]" "_LIB_PID_LOG[$1]" "_LIB_PID_KIND[$1]"
}

stop_pid() {
  local pid="$1" grace="${2:-15}" i
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "${_LIB_PID_NAME[$pid]:-process} (pid $pid) still ran ${grace}s after SIGTERM: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

stop_started() {
  local i pids=("${_LIB_PIDS[@]}")
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop_pid "${pids[i]}"
  done
}

keep_started() {
  _LIB_PIDS=()
  _LIB_PID_NAME=()
  _LIB_PID_LOG=()
  _LIB_PID_KIND=()
}

started_pids() { echo "${_LIB_PIDS[*]}"; }

assert_alive() {
  local pid
  for pid in "${_LIB_PIDS[@]}"; do
    [[ "${_LIB_PID_KIND[$pid]}" == service ]] || continue
    kill -0 "$pid" 2>/dev/null || _lib_exited "$pid" "${_LIB_PID_NAME[$pid]} (pid $pid) has exited"
  done
}

# _lib_exited PID MESSAGE: dies with MESSAGE after the end of PID's log.
_lib_exited() {
  local logfile="${_LIB_PID_LOG[$1]:-}"
  if [[ -n "$logfile" && -s "$logfile" ]]; then
    log "the end of $logfile:"
    tail -n 20 "$logfile" >&2
    die "$2 (log: $logfile)"
  fi
  die "$2"
}

wait_for_url() {
  local what="$1" url="$2" pid="$3" secs="${4:-60}"
  _lib_wait "$what" "$pid" "$secs" "$url" _lib_url_answers "$url"
}

wait_for_tcp() {
  local what="$1" host="$2" port="$3" pid="$4" secs="${5:-60}"
  _lib_wait "$what" "$pid" "$secs" "$host:$port" _lib_tcp_open "$host" "$port"
}

wait_for_cmd() {
  local what="$1" pid="$2" secs="$3"
  shift 3
  _lib_wait "$what" "$pid" "$secs" "$*" "$@"
}

_lib_url_answers() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1"
}

_lib_tcp_open() { (exec 3<>"/dev/tcp/$1/$2"); }

# _lib_wait WHAT PID SECS DESCRIPTION CMD [ARG...]
_lib_wait() {
  local what="$1" pid="$2" secs="$3" desc="$4"
  shift 4
  local deadline=$((SECONDS + secs))
  while :; do
    kill -0 "$pid" 2>/dev/null || _lib_exited "$pid" "$what (pid $pid) exited during start-up"
    if "$@" >/dev/null 2>&1; then return 0; fi
    ((SECONDS < deadline)) || _lib_exited "$pid" "$what did not answer ($desc) within $secs s"
    sleep 0.1
  done
}
