#!/bin/sh
# Run every check, in this order, stopping at the first failure:
#   ruff       lint of the whole repository, then fsec-core's import layers
#              (import-linter's "layers" contract in pyproject.toml; docs/layout.md)
#   docs       the documentation site, warnings are errors (mkdocs build --strict)
#   workspace  the whole pytest suite with every distribution installed together, on
#              min(cores, 2) pytest-xdist workers (FSEC_TEST_WORKERS=N to choose)
#              (PostgreSQL, SMTP and Redis are started by the tests themselves; see
#              flask_security.testing); extra arguments go to this pytest run
#   compat     Flask-Security 3.0.0's own test suite against this checkout
#              (compat/fs30/run.py: the sdist is downloaded once into .cache/fs30;
#              an item failing that compat/fs30/expected-failures.txt does not
#              list fails the run)
#   isolated   each distribution from its own wheel in a fresh virtualenv, running
#              its own tests (scripts/isolated.py)
# FSEC_TEST_PARTS chooses parts, e.g. FSEC_TEST_PARTS="ruff workspace".
# The browser tests (headless Chromium through Playwright, flask_security.testing.browser)
# run inside the workspace and isolated parts; their screenshots go to
# $FSEC_TEST_OUTPUT/browser/<test>/ (default .cache/test-output, emptied at each run).
. "$(dirname -- "$0")/bootstrap.sh"
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "fsec: installing the PostgreSQL server package" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
fi
# Redis: the broker of the Celery mail recipe's tests (started by the tests themselves).
if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "fsec: installing the Redis server package" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    fi
fi
# Chromium: the browser the browser tests drive (Debian's package; `playwright install`,
# which downloads its own browsers, is never used). Without it those tests fail.
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "fsec: installing the Chromium browser package" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "fsec: no chromium: the browser tests will fail (apt-get install -y chromium)" >&2
    fi
fi
FSEC_TEST_OUTPUT=${FSEC_TEST_OUTPUT:-"$ROOT/.cache/test-output"}
export FSEC_TEST_OUTPUT
rm -rf "$FSEC_TEST_OUTPUT/browser"
PARTS=${FSEC_TEST_PARTS:-"ruff docs workspace compat isolated"}
TIMES=""
START_ALL=$(date +%s)

want() {
    case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

timed() {
    name=$1
    shift
    echo "== $name"
    start=$(date +%s)
    "$@"
    TIMES="$TIMES $name=$(($(date +%s) - start))s"
}

if want ruff; then
    timed ruff "$UV" run --locked --all-packages ruff check .
    timed layers "$UV" run --locked --all-packages lint-imports --no-cache
fi
if want docs; then
    SITE=$(mktemp -d "${TMPDIR:-/tmp}/fsec-site.XXXXXX")
    timed docs "$UV" run --locked --all-packages mkdocs build --strict --quiet --site-dir "$SITE"
    rm -rf "$SITE"
fi
if want workspace; then
    # pytest-xdist: one worker per core, at most 2 (FSEC_TEST_WORKERS overrides; 0 = no
    # workers). Each worker starts its own PostgreSQL (own data dir), SMTP and gunicorn
    # servers on free ports (flask_security.testing), so workers share nothing.
    WORKERS=${FSEC_TEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}
    if [ -z "${FSEC_TEST_WORKERS:-}" ] && [ "$WORKERS" -gt 2 ]; then WORKERS=2; fi
    timed workspace "$UV" run --locked --all-packages pytest -n "$WORKERS" "$@"
fi
if want compat; then
    timed compat "$UV" run --locked --all-packages python compat/fs30/run.py
fi
if want isolated; then
    timed isolated "$UV" run --locked --all-packages python scripts/isolated.py
fi
echo "== times:$TIMES total=$(($(date +%s) - START_ALL))s"
