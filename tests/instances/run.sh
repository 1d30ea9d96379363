#!/usr/bin/env bash
# Two release servers on one MariaDB or PostgreSQL database, tested as one
# shop (see two_instances.py). Called by .ci/run after the release build:
#
#   bash tests/instances/run.sh mysql    "$TEST_MYSQL_URL"
#   bash tests/instances/run.sh postgres "$TEST_POSTGRES_URL"
#
# The URL names an account that may create databases; a fresh database is
# created for the run and dropped at the end. Needs target/release/
# {letao-server,wechat-pay-sim}, python3 and the mariadb or psql client.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# == 2 ]] || { echo "usage: $0 mysql|postgres ADMIN_URL" >&2; exit 2; }
exec python3 tests/instances/two_instances.py "$1" "$2"
