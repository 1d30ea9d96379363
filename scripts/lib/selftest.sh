#!/usr/bin/env bash
# Checks of scripts/lib/ itself (base.sh and processes.sh) with throw-away
# processes (sleep, python3 -m http.server on 127.0.0.1): ports, waiting,
# stopping by PID at exit, on Ctrl-C and on failure, exit statuses, hooks
# and the work folder. Needs bash and python3; takes a few seconds.
#
#   bash scripts/lib/selftest.sh
set -euo pipefail
LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/letao-lib-selftest.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

check() { # NAME COMMAND...: one check
  if "${@:2}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $1" >&2
  fi
}

# child BODY: runs BODY in a new bash that sourced processes.sh (killed
# after 30 s: a hang is a failure too); its stdout to $TMP/out, its stderr
# to $TMP/err; returns its exit status.
child() {
  local status=0
  timeout -k 5 30 bash -c "set -euo pipefail; LOG_TAG=t; source '$LIB/processes.sh'; $1" \
    >"$TMP/out" 2>"$TMP/err" || status=$?
  return "$status"
}
status_of() { # BODY: prints the child's exit status
  local status=0
  child "$1" || status=$?
  echo "$status"
}
gone() { ! kill -0 "$1" 2>/dev/null; }
alive() { kill -0 "$1" 2>/dev/null; }
err_has() { grep -q -- "$1" "$TMP/err"; }

# free_port: distinct ports, each one free to bind.
# shellcheck disable=SC2016 # expanded by the child
child 'for i in 1 2 3 4 5 6 7 8; do free_port "P[$i]"; done; printf "%s\n" "${P[@]}"'
check "free_port gives distinct ports" test "$(sort -u "$TMP/out" | wc -l)" = 8
check "free_port's ports can be bound" python3 -c '
import socket, sys
for p in open(sys.argv[1]).read().split():
    s = socket.socket(); s.bind(("127.0.0.1", int(p))); s.close()' "$TMP/out"
check "free_port refuses a bad name" test "$(status_of 'free_port "1x"')" = 1
# shellcheck disable=SC2016 # expanded by the child
check "free_port sets a caller's local of any name" test "$(status_of 'f() { local port try; free_port port
  free_port try; [[ $port =~ ^[0-9]+$ && $try =~ ^[0-9]+$ ]]; }; f')" = 0

# A service started, waited for, and stopped at exit with the exit status kept.
status=$(status_of "free_port p; spawn web '$TMP/web.log' '$TMP' python3 -m http.server --bind 127.0.0.1 \"\$p\"
  echo \$SPAWNED_PID >'$TMP/pid'; wait_for_url web \"http://127.0.0.1:\$p/\" \$SPAWNED_PID 20
  wait_for_tcp web 127.0.0.1 \"\$p\" \$SPAWNED_PID 5; assert_alive; exit 7")
check "the script's exit status is kept" test "$status" = 7
check "a service is stopped at exit" gone "$(cat "$TMP/pid")"

# A failing wait stops what was started and shows the log.
status=$(status_of "spawn sleeper /dev/null . sleep 60; echo \$SPAWNED_PID >'$TMP/pid'
  spawn quitter '$TMP/q.log' . sh -c 'echo broken config; exit 3'
  wait_for_url quitter http://127.0.0.1:1/ \$SPAWNED_PID 20")
check "a wait fails when its process exits" test "$status" = 1
check "the failure names the process" err_has "quitter (pid [0-9]*) exited during start-up"
check "the failure shows the end of its log" err_has "broken config"
check "a failure stops the other processes" gone "$(cat "$TMP/pid")"
status=$(status_of "spawn sleeper /dev/null . sleep 60; wait_for_cmd never \$SPAWNED_PID 1 false")
check "a wait gives up after its time" test "$status" = 1
check "giving up is said" err_has "never did not answer"

# SIGINT and SIGTERM: 130 and 143, processes stopped.
status=$(status_of "spawn sleeper /dev/null . sleep 60; echo \$SPAWNED_PID >'$TMP/pid'; kill -INT \$\$; sleep 5")
check "Ctrl-C exits 130" test "$status" = 130
check "Ctrl-C stops the processes" gone "$(cat "$TMP/pid")"
status=$(status_of "spawn sleeper /dev/null . sleep 60; echo \$SPAWNED_PID >'$TMP/pid'; kill -TERM \$\$; sleep 5")
check "SIGTERM exits 143" test "$status" = 143
check "SIGTERM stops the processes" gone "$(cat "$TMP/pid")"

# A process that ignores SIGTERM is killed after the grace time.
status=$(status_of "spawn stubborn /dev/null . sh -c 'trap \"\" TERM; while :; do sleep 0.1; done'
  echo \$SPAWNED_PID >'$TMP/pid'; sleep 0.3; stop_pid \$SPAWNED_PID 1; kill -0 \$SPAWNED_PID 2>/dev/null && exit 9; exit 0")
check "stop_pid kills after the grace time" test "$status" = 0
check "the kill is said" err_has "still ran 1s after SIGTERM"

# keep_started: the process outlives the script (then stopped here).
child "spawn kept /dev/null . sleep 60; echo \$SPAWNED_PID >'$TMP/pid'; keep_started"
kept=$(cat "$TMP/pid")
check "keep_started leaves the process running" alive "$kept"
kill "$kept" 2>/dev/null || true

# forget_pid: a process killed on purpose is not looked after any more.
check "forget_pid drops a PID" test "$(status_of "spawn a /dev/null . sleep 60; p=\$SPAWNED_PID
  kill -KILL \$p; wait \$p 2>/dev/null || true; forget_pid \$p; assert_alive; started_pids")" = 0
check "assert_alive sees a dead service" test "$(status_of "spawn a /dev/null . sleep 60
  kill -KILL \$SPAWNED_PID; sleep 0.2; assert_alive")" = 1
check "assert_alive skips jobs" test "$(status_of "sleep 0 & track_job \$! wrk; sleep 0.2; assert_alive")" = 0

# Hooks run after the processes stopped, newest first, and see the status.
child "spawn s /dev/null . sleep 60; p=\$SPAWNED_PID
  on_exit sh -c 'echo first >>$TMP/hooks'
  on_exit eval 'kill -0 \$p 2>/dev/null && echo alive >>$TMP/hooks || echo stopped \$EXIT_STATUS >>$TMP/hooks'
  exit 4" || true
check "hooks run newest first, after the stop, with the status" \
  test "$(tr '\n' ' ' <"$TMP/hooks")" = "stopped 4 first "

# The work folder: removed at exit, kept with KEEP_TMP=1 or keep_workdir.
child "make_workdir w '$TMP'; echo \$WORK"
check "make_workdir's folder is removed at exit" test ! -e "$(cat "$TMP/out")"
KEEP_TMP=1 child "make_workdir w '$TMP'; echo \$WORK"
check "KEEP_TMP=1 keeps it" test -d "$(cat "$TMP/out")"
child "make_workdir w '$TMP'; keep_workdir; echo \$WORK"
check "keep_workdir keeps it" test -d "$(cat "$TMP/out")"

echo "$passed passed, $failed failed"
((failed == 0))
