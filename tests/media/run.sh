#!/usr/bin/env bash
# Two release servers with `media.backend = "s3"` on one SQLite database and
# one bucket, each with a media folder of its own: an image the owner
# uploads to one is served by the other, byte for byte, and neither writes
# its folder (see two_instances.py). Called by .ci/run after the release
# build, with the TEST_S3_* variables of the S3 server it started:
#
#   eval "$(bash .ci/run --dbs-only)"   # or any S3 server and bucket
#   bash tests/media/run.sh
#
# Needs target/release/letao-server and python3. Both servers are stopped
# by PID at the end; the work folder is removed (KEEP_TMP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/../.."
for var in TEST_S3_ENDPOINT TEST_S3_BUCKET TEST_S3_REGION TEST_S3_ACCESS_KEY_ID TEST_S3_SECRET_ACCESS_KEY; do
  [[ -n "${!var:-}" ]] || { echo "tests/media/run.sh: $var is not set (eval \"\$(bash .ci/run --dbs-only)\")" >&2; exit 2; }
done
exec python3 tests/media/two_instances.py
