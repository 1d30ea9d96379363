# shellcheck shell=bash
# scripts/lib/base.sh: logging, failing, clean-up at exit, a work folder
# and Debian packages. The other files here source it; a script sources
# what it needs from a bash script that runs with `set -euo pipefail`.
#
# Sourcing installs the EXIT, INT and TERM traps. At exit, every process
# registered with track_pid or track_job (processes.sh) is stopped by its
# PID, newest first; then every on_exit command runs, newest first. The
# script's exit status is kept (130 after Ctrl-C, 143 after SIGTERM).
#
#   LOG_TAG=ci                   log lines read "[ci] ..." (default: the script's name)
#   log MESSAGE...               one line to stderr
#   die MESSAGE...               "[tag] error: MESSAGE" to stderr, then exit 1
#   on_exit COMMAND [ARG...]     run at exit, after the processes are stopped;
#                                EXIT_STATUS holds the script's exit status then
#   make_workdir NAME [PARENT]   WORK = a new folder PARENT/NAME.XXXXXX (PARENT:
#                                TMPDIR or /tmp), removed at exit unless
#                                KEEP_TMP=1 or keep_workdir was called
#   install_packages PKG...      apt-get install (as root), starting no service
#   release_bin NAME             path of a release binary of this workspace
#
# LETAO_REPO is the repository's root.

[[ -n "${_LETAO_LIB_BASE:-}" ]] && return 0
_LETAO_LIB_BASE=1

LETAO_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOG_TAG="${LOG_TAG:-$(basename "$0")}"
EXIT_STATUS=0
_LIB_EXIT_HOOKS=()
_LIB_KEEP_WORK=""
_LIB_POLICY_RC=""

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() {
  printf '[%s] error: %s\n' "$LOG_TAG" "$*" >&2
  exit 1
}

on_exit() { _LIB_EXIT_HOOKS+=("$(printf '%q ' "$@")"); }

_lib_on_exit() {
  EXIT_STATUS=$?
  set +e
  # A second Ctrl-C must not cut the clean-up short: it is bounded anyway
  # (every stop ends in SIGKILL).
  trap '' INT TERM
  if declare -F stop_started >/dev/null; then stop_started; fi
  local i
  for ((i = ${#_LIB_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
    eval "${_LIB_EXIT_HOOKS[i]}"
  done
  exit "$EXIT_STATUS"
}
trap _lib_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

make_workdir() {
  local name="$1" parent="${2:-${TMPDIR:-/tmp}}"
  mkdir -p "$parent"
  WORK="$(mktemp -d "$parent/$name.XXXXXX")" || die "cannot make a folder under $parent"
  on_exit _lib_remove_workdir "$WORK"
}

# The folder stays after the script (its servers' data, for --dbs-only).
keep_workdir() { _LIB_KEEP_WORK=1; }

_lib_remove_workdir() {
  if [[ -n "$_LIB_KEEP_WORK" ]]; then
    return 0
  elif [[ "${KEEP_TMP:-}" == 1 ]]; then
    log "kept $1"
  else
    rm -rf "$1"
  fi
}

install_packages() {
  (($#)) || return 0
  [[ $(id -u) == 0 ]] || die "missing $*; run as root so they can be installed"
  log "installing $*"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    # Keeps the packages from starting system-wide servers.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    _LIB_POLICY_RC=1
    on_exit _lib_remove_policy_rc
  fi
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    die "apt-get install $* failed"
  _lib_remove_policy_rc
}

_lib_remove_policy_rc() {
  [[ -n "$_LIB_POLICY_RC" ]] || return 0
  rm -f /usr/sbin/policy-rc.d
  _LIB_POLICY_RC=""
}

release_bin() {
  local target="${CARGO_TARGET_DIR:-target}"
  [[ "$target" == /* ]] || target="$LETAO_REPO/$target"
  printf '%s/release/%s\n' "$target" "$1"
}
