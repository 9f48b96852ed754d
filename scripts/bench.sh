#!/bin/sh
# Benchmarks: bare Flask-Login (floor), fsec and upstream Flask-Security side by side
# (see docs/benchmarks.md). Not part of the test command. Creates what it needs: the
# workspace virtualenv (bootstrap.sh), upstream's virtualenv in .cache/bench/upstream,
# cached SQLite databases in .cache/bench/db. Prints a Markdown table and saves it to
# benchmarks/results/<date>.md. Arguments go to benchmarks/bench.py (--help).
. "$(dirname -- "$0")/bootstrap.sh"
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "fsec: installing the PostgreSQL server package" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
fi
exec "$UV" run --locked --all-packages python benchmarks/bench.py "$@"
