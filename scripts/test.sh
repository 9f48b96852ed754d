#!/bin/sh
# Run every check: ruff, then the whole pytest suite (PostgreSQL is started by the
# tests themselves; see flask_security.testing.postgres). Extra arguments go to pytest.
. "$(dirname -- "$0")/bootstrap.sh"
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "fsec: installing the PostgreSQL server package" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
fi
echo "== ruff"
"$UV" run --locked --all-packages ruff check .
echo "== pytest (workspace)"
"$UV" run --locked --all-packages pytest "$@"
