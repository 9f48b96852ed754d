#!/bin/sh
# Run any command in the workspace environment, with the bootstrapped uv (which a
# fresh clone does not have on PATH): sh scripts/uv.sh run --all-packages pytest -q
. "$(dirname -- "$0")/bootstrap.sh"
exec "$UV" "$@"
