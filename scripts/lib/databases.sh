# shellcheck shell=bash
# scripts/lib/databases.sh: private MariaDB and PostgreSQL servers for the
# tests and the benchmarks. Each lives in a folder of its own, listens on
# 127.0.0.1 at a free port only, and is stopped by its PID at exit like
# everything started through processes.sh. Nothing system-wide is used or
# changed; the packages must be installed (.ci/run installs them).
#
#   start_mariadb DIR [MARIADBD_OPTION...]
#       mariadb-install-db into DIR/data (root logs in over the socket
#       only), then mariadbd with utf8mb4 and the given options; waits
#       until it answers. Sets MARIADB_PORT, MARIADB_SOCKET, MARIADB_PID.
#   restart_mariadb     the same server again on the same data, after it
#       was killed; returns at once (see mariadb_ready). Sets MARIADB_PID.
#   mariadb_ready       succeeds when the server answers a ping
#   mariadb_root [CLIENT_ARG...]   the mariadb client, as root, over the socket
#   start_postgres DIR PASSWORD [POSTGRES_OPTION...]
#       initdb into DIR/data (superuser postgres: PASSWORD over TCP, trust
#       on the socket in DIR), then postgres; waits until it is ready.
#       Started by root, both run as the postgres account, so every folder
#       above DIR must be searchable by it. Sets POSTGRES_PORT,
#       POSTGRES_PID and PG_BIN.
#   pg_bin              the newest /usr/lib/postgresql/*/bin, or nothing

[[ -n "${_LETAO_LIB_DATABASES:-}" ]] && return 0
_LETAO_LIB_DATABASES=1
# shellcheck source=scripts/lib/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"

_LIB_MARIADB_DIR=""
_LIB_MARIADBD=()

start_mariadb() {
  local dir="$1"
  shift
  command -v mariadbd >/dev/null || die "mariadbd not found (apt-get install mariadb-server)"
  command -v mariadb >/dev/null || die "mariadb not found (apt-get install mariadb-client)"
  mkdir -p "$dir"
  free_port MARIADB_PORT
  MARIADB_SOCKET="$dir/mysqld.sock"
  log "starting MariaDB on 127.0.0.1:$MARIADB_PORT"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
    --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 ||
    { cat "$dir/install.log" >&2; die "mariadb-install-db failed"; }
  _LIB_MARIADB_DIR="$dir"
  _LIB_MARIADBD=(mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data"
    --socket="$MARIADB_SOCKET" --port="$MARIADB_PORT" --bind-address=127.0.0.1
    --pid-file="$dir/mysqld.pid" --log-error="$dir/mysqld.err"
    --skip-name-resolve --character-set-server=utf8mb4 "$@")
  restart_mariadb
  wait_for_cmd MariaDB "$MARIADB_PID" 60 mariadb_ready
}

restart_mariadb() {
  [[ -n "$_LIB_MARIADB_DIR" ]] || die "restart_mariadb before start_mariadb"
  # The error log (--log-error) is appended to across restarts; stdout is
  # next to nothing.
  spawn mariadbd "$_LIB_MARIADB_DIR/mysqld.out" "$_LIB_MARIADB_DIR" "${_LIB_MARIADBD[@]}"
  MARIADB_PID=$SPAWNED_PID
  _LIB_PID_LOG[$MARIADB_PID]="$_LIB_MARIADB_DIR/mysqld.err"
}

mariadb_ready() { mariadb-admin --no-defaults -uroot --socket="$MARIADB_SOCKET" ping >/dev/null 2>&1; }

# shellcheck disable=SC2120 # arguments are optional
mariadb_root() { mariadb --no-defaults -uroot --socket="$MARIADB_SOCKET" "$@"; }

pg_bin() {
  local dirs=(/usr/lib/postgresql/*/bin)
  [[ -d "${dirs[0]}" ]] || return 0
  printf '%s\n' "${dirs[@]}" | sort -V | tail -n 1
}

start_postgres() {
  local dir="$1" password="$2"
  shift 2
  PG_BIN="$(pg_bin)"
  [[ -n "$PG_BIN" && -x "$PG_BIN/postgres" ]] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  mkdir -p "$dir"
  free_port POSTGRES_PORT
  printf '%s\n' "$password" >"$dir/pwfile"
  local as_pg=()
  if [[ $(id -u) == 0 ]]; then
    # PostgreSQL refuses to run as root: use the account the package made.
    # setpriv execs (runuser would stay as a parent), so the PID tracked is
    # the server's own.
    id postgres >/dev/null 2>&1 || die "no postgres user to run PostgreSQL as"
    command -v setpriv >/dev/null || die "setpriv not found (util-linux)"
    chown -R postgres "$dir"
    as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
    "${as_pg[@]}" test -w "$dir" ||
      die "the postgres account cannot reach $dir: every folder above it must be searchable (chmod o+x)"
  fi
  log "starting PostgreSQL on 127.0.0.1:$POSTGRES_PORT"
  "${as_pg[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  spawn postgres "$dir/postgres.log" "$dir" "${as_pg[@]}" "$PG_BIN/postgres" -D "$dir/data" \
    -h 127.0.0.1 -p "$POSTGRES_PORT" -k "$dir" "$@"
  POSTGRES_PID=$SPAWNED_PID
  wait_for_cmd PostgreSQL "$POSTGRES_PID" 60 "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$POSTGRES_PORT"
}
