#!/bin/sh
# Preview the documentation site with live reload on http://127.0.0.1:8000
# (extra arguments go to `mkdocs serve`, e.g. -a 127.0.0.1:8001).
. "$(dirname -- "$0")/bootstrap.sh"
exec "$UV" run --locked --all-packages mkdocs serve "$@"
