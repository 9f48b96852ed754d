#!/bin/sh
# The demo app's `flask` command line, e.g.
#   sh scripts/flask.sh users unlock user@example.com    (make flask ARGS="users unlock ...")
#   sh scripts/flask.sh --help
. "$(dirname -- "$0")/bootstrap.sh"
exec "$UV" run --locked --all-packages flask --app examples/demo/app.py "$@"
