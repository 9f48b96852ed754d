"""One benchmark process: runs inside one implementation's virtualenv.

Started by ``bench.py`` as ``<venv python> worker.py <mode> '<json arguments>'``; it
answers on stdout with one JSON object per line (the driver reads nothing else).

Modes:

* ``serve``: build the app on a fresh SQLite file with 1,000 users, prepare every
  scenario's request, print ``{"ready": ...}``, then answer commands read from stdin:
  ``{"op": "round", "scenario": S, "seconds": T}`` runs scenario ``S`` for about ``T``
  seconds and answers ``{"n": requests, "elapsed": seconds}``; ``{"op": "quit"}``.
* ``resources``: a fresh process for one scenario: warm up, then count SQL statements
  per request (SQLAlchemy ``before_cursor_execute`` event) and report the peak
  resident memory of the process (``ru_maxrss``).
* ``init``: time ``Security(app, datastore)`` (the floor: ``LoginManager(app)``), the
  first call in a fresh process and then warm calls on new apps.
* ``scale``: two apps, one on a table of ``small`` users, one on ``large`` users
  (SQLite files cached by the driver, or PostgreSQL databases), answering ``round``
  commands (``scenario`` is ``"small"`` or ``"large"``) with JSON logins of random users.
* ``profile``: run one scenario for some seconds under pyinstrument and write its
  text report to a file.

Requests go straight to the WSGI callable with a prepared environ (no sockets, no
test client), so the numbers are the framework's.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchapp

SCENARIOS = (
    "anonymous",
    "unprotected",
    "session",
    "token",
    "role",
    "basic",
    "json_login",
    "form_login",
)
ENVIRON_BASE = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "fsec-bench/1"}
SCENARIO_USERS = 1000


def emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


# -----------------------------------------------------------------------------------
# Data
# -----------------------------------------------------------------------------------


def email_for(i: int) -> str:
    return f"user{i:07d}@example.com"


def create_schema(app: Any, impl: str) -> None:
    m = benchapp.models(impl)
    with app.app_context():
        m.db.create_all()


def seed(app: Any, impl: str, n_users: int) -> None:
    """Insert ``n_users`` active users sharing one password hash; user 1 is an admin.

    Rows go in through the driver's bulk path (``executemany`` on SQLite, ``COPY``
    on PostgreSQL); indexes are the ones each implementation's ``create_all`` makes.
    """
    m = benchapp.models(impl)
    pw = benchapp.password_hash()
    with app.app_context():
        engine = m.db.engine
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            if engine.dialect.name == "sqlite":
                cur.execute("PRAGMA journal_mode=OFF")
                cur.execute("PRAGMA synchronous=OFF")
                cur.executemany(
                    'INSERT INTO "user" (id, email, password, active, fs_uniquifier) '
                    "VALUES (?, ?, ?, 1, ?)",
                    ((i, email_for(i), pw, f"{i:032x}") for i in range(1, n_users + 1)),
                )
            else:
                with cur.copy(
                    'COPY "user" (id, email, password, active, fs_uniquifier) FROM STDIN'
                ) as copy:
                    for chunk in _copy_chunks(n_users, pw):
                        copy.write(chunk)
            cur.execute("INSERT INTO role (id, name, description) VALUES (1, 'admin', 'Admins')")
            cur.execute("INSERT INTO roles_users (user_id, role_id) VALUES (1, 1)")
            raw.commit()
            if engine.dialect.name != "sqlite":
                cur.execute("ANALYZE")
                raw.commit()
        finally:
            raw.close()


def _copy_chunks(n_users: int, pw: str, size: int = 50_000) -> Iterator[bytes]:
    for start in range(1, n_users + 1, size):
        stop = min(start + size, n_users + 1)
        rows = (f"{i}\t{email_for(i)}\t{pw}\tt\t{i:032x}\n" for i in range(start, stop))
        yield "".join(rows).encode()


def fresh_sqlite_app(impl: str, n_users: int = SCENARIO_USERS) -> Any:
    path = os.path.join(tempfile.mkdtemp(prefix=f"fsec-bench-{impl}-"), "bench.db")
    app = benchapp.build_app(impl, f"sqlite:///{path}")
    create_schema(app, impl)
    seed(app, impl, n_users)
    return app


# -----------------------------------------------------------------------------------
# Requests
# -----------------------------------------------------------------------------------


class Request:
    """A prepared WSGI request: a template environ and its body."""

    def __init__(self, environ: dict[str, Any], expect: int, contains: bytes = b"") -> None:
        self.body = environ["wsgi.input"].read()
        self.environ = environ
        self.expect = f"{expect} "
        self.contains = contains

    def fresh_environ(self) -> dict[str, Any]:
        environ = dict(self.environ)
        environ["wsgi.input"] = io.BytesIO(self.body)
        return environ


def call(app: Any, request: Request) -> tuple[str, bytes]:
    """Run one request through ``app``; returns (status line, body)."""
    status: list[str] = []

    def start_response(s: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(s)
        return lambda data: None

    iterable = app(request.fresh_environ(), start_response)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return status[0], body


def build_environ(**kwargs: Any) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(environ_base=dict(ENVIRON_BASE), **kwargs)
    try:
        return builder.get_environ()
    finally:
        builder.close()


def find_token(payload: Any) -> str | None:
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key == "authentication_token" and isinstance(value, str):
                return value
            found = find_token(value)
            if found:
                return found
    return None


def prepare(app: Any, email: str) -> dict[str, Request]:
    """Log in through the app's own login view, by form for a session cookie (what a
    browser holds) and by JSON for an auth token, then build every scenario's request."""
    creds = {"email": email, "password": benchapp.PASSWORD}
    browser = app.test_client()
    browser.environ_base.update(ENVIRON_BASE)
    response = browser.post("/login", data=creds)
    cookie = browser.get_cookie("session")
    if response.status_code != 302 or cookie is None:
        raise RuntimeError(f"form login failed: {response.status_code} {response.data[:300]!r}")
    api = app.test_client()
    api.environ_base.update(ENVIRON_BASE)
    response = api.post("/login", json=creds)
    token = find_token(response.get_json(silent=True))
    if response.status_code != 200 or token is None:
        raise RuntimeError(f"JSON login failed: {response.status_code} {response.data[:300]!r}")
    session = {"Cookie": f"session={cookie.value}"}
    import base64

    basic = base64.b64encode(f"{email}:{benchapp.PASSWORD}".encode()).decode()
    return {
        "anonymous": Request(build_environ(path="/public"), 200, b"public"),
        # The same unprotected route, called by a logged-in browser (session cookie).
        "unprotected": Request(build_environ(path="/public", headers=session), 200, b"public"),
        "session": Request(build_environ(path="/session", headers=session), 200, email.encode()),
        "token": Request(
            build_environ(path="/token", headers={"Authentication-Token": token}),
            200,
            email.encode(),
        ),
        "role": Request(build_environ(path="/admin", headers=session), 200, b"admin area"),
        "basic": Request(
            build_environ(path="/basic", headers={"Authorization": f"Basic {basic}"}),
            200,
            email.encode(),
        ),
        "json_login": Request(
            build_environ(path="/login", method="POST", json=creds), 200, b"authentication_token"
        ),
        "form_login": Request(build_environ(path="/login", method="POST", data=creds), 302),
    }


def check(app: Any, name: str, request: Request) -> None:
    status, body = call(app, request)
    if not status.startswith(request.expect) or request.contains not in body:
        raise RuntimeError(
            f"{name}: expected {request.expect.strip()}, got {status}: {body[:300]!r}"
        )


def run_for(app: Any, request: Request, seconds: float) -> tuple[int, float, float]:
    """Repeat ``request`` for about ``seconds`` of wall time.

    :returns: (count, elapsed wall seconds, CPU seconds of this process).
    """
    expect = request.expect
    perf = time.perf_counter
    n = 0
    cpu = time.process_time()
    start = perf()
    deadline = start + seconds
    while True:
        status, _ = call(app, request)
        n += 1
        if not status.startswith(expect):
            raise RuntimeError(f"unexpected status {status}")
        now = perf()
        if now >= deadline:
            return n, now - start, time.process_time() - cpu


def login_requests(emails: list[str]) -> list[Request]:
    """Prepared JSON login requests, one per address (built before any timing)."""
    return [
        Request(
            build_environ(
                path="/login",
                method="POST",
                json={"email": email, "password": benchapp.PASSWORD},
            ),
            200,
        )
        for email in emails
    ]


def run_logins_for(
    app: Any, requests: list[Request], seconds: float, min_n: int = 1
) -> tuple[int, float, float]:
    """Cycle through ``requests`` for about ``seconds`` (at least ``min_n``); returns
    (count, wall seconds, CPU seconds)."""
    perf = time.perf_counter
    n = 0
    cpu = time.process_time()
    start = perf()
    while True:
        request = requests[n % len(requests)]
        status, body = call(app, request)
        if not status.startswith("200 "):
            raise RuntimeError(f"login failed: {status} {body[:200]!r}")
        n += 1
        now = perf()
        if n >= min_n and now - start >= seconds:
            return n, now - start, time.process_time() - cpu


def serve_loop(handlers: dict[str, Callable[[float], tuple[int, float, float]]]) -> None:
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "quit":
            return
        n, elapsed, cpu = handlers[cmd["scenario"]](float(cmd["seconds"]))
        emit({"n": n, "elapsed": elapsed, "cpu": cpu})


# -----------------------------------------------------------------------------------
# Modes
# -----------------------------------------------------------------------------------


def mode_serve(args: dict[str, Any]) -> None:
    impl = args["impl"]
    app = fresh_sqlite_app(impl)
    requests = prepare(app, email_for(1))
    warm = int(args.get("warmup", 200))
    for name, request in requests.items():
        check(app, name, request)
        for _ in range(warm if "login" not in name and name != "basic" else warm // 4):
            call(app, request)
    emit({"ready": True, "versions": versions()})
    serve_loop(
        {
            name: (lambda seconds, r=request: run_for(app, r, seconds))
            for name, request in requests.items()
        }
    )


def mode_resources(args: dict[str, Any]) -> None:
    import sqlalchemy as sa

    impl, scenario = args["impl"], args["scenario"]
    n = int(args.get("requests", 300))
    app = fresh_sqlite_app(impl)
    request = prepare(app, email_for(1))[scenario]
    check(app, scenario, request)
    for _ in range(50):
        call(app, request)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    m = benchapp.models(impl)
    with app.app_context():
        engine = m.db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    for _ in range(n):
        call(app, request)
    sa.event.remove(engine, "before_cursor_execute", count)
    distinct = sorted({" ".join(s.split())[:160] for s in statements})
    emit(
        {
            "sql_per_request": len(statements) / n,
            "statements": distinct,
            "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }
    )


def mode_init(args: dict[str, Any]) -> None:
    impl = args["impl"]
    config = dict(args.get("config") or {})
    warm = int(args.get("warm", 20))
    import flask  # noqa: F401  (imports are not what this mode times)
    import flask_sqlalchemy  # noqa: F401

    if impl != "floor":
        # Imports (the store's too: fsec resolves it lazily) are not init_app's cost.
        from flask_security import Security, SQLAlchemyUserDatastore  # noqa: F401

    def new_app() -> Any:
        return benchapp.build_app(
            impl, "sqlite://", extra_config=config, extended=True, security=False
        )

    # CPU time of this process (see docs/benchmarks.md): wall time on an idle machine.
    app = new_app()
    # SQLAlchemy configures all mappers once per process, at the first query or the
    # first inspection, whichever comes first. Done here, so that it is not counted
    # against whichever extension happens to inspect the models in init_app.
    import sqlalchemy.orm

    sqlalchemy.orm.configure_mappers()
    t0 = time.process_time()
    ext = benchapp.init_security(app, impl, extended=True)
    cold = time.process_time() - t0
    times = []
    for _ in range(warm):
        app = new_app()
        t0 = time.process_time()
        benchapp.init_security(app, impl, extended=True)
        times.append(time.process_time() - t0)
    info: dict[str, Any] = {"cold": cold, "warm": times}
    if impl == "fsec":
        state = app.extensions["security"]
        info["plugins"] = {name: f"{i.dist} {i.version}" for name, i in state.plugins.infos.items()}
        info["views"] = sorted(state.contributions.get("fsec_views", {}))
    elif impl == "upstream":
        info["views"] = sorted(
            r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("security.")
        )
    del ext
    emit(info)


def mode_scale(args: dict[str, Any]) -> None:
    impl = args["impl"]
    apps: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    for label in ("small", "large"):
        spec = args[label]
        apps[label] = benchapp.build_app(impl, spec["uri"])
        sizes[label] = int(spec["users"])
    rng = random.Random(args.get("seed", 12345))
    handlers = {}
    for label, app in apps.items():
        # Random users from the whole table, the same sequence for every implementation.
        pool = login_requests([email_for(rng.randint(1, sizes[label])) for _ in range(2000)])
        run_logins_for(app, pool, 0.0, min_n=5)  # warm-up; fails loudly if login fails
        handlers[label] = lambda seconds, app=app, pool=pool: run_logins_for(app, pool, seconds)
    emit({"ready": True, "plans": {k: explain(a, impl) for k, a in apps.items()}})
    serve_loop(handlers)


def explain(app: Any, impl: str) -> list[str]:
    """The database's plan for the identity lookup each implementation issues."""
    m = benchapp.models(impl)
    with app.app_context():
        engine = m.db.engine
        value = email_for(1)
        if impl == "floor":
            where, params = "email = :v", {"v": value}
        else:  # fsec and upstream both compare lower(email) = lower(:v)
            where, params = "lower(email) = lower(:v)", {"v": value}
        prefix = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
        import sqlalchemy as sa

        with engine.connect() as conn:
            rows = conn.execute(sa.text(f'{prefix} SELECT id FROM "user" WHERE {where}'), params)
            return [" ".join(str(c) for c in row) for row in rows]


def mode_build(args: dict[str, Any]) -> None:
    impl = args["impl"]
    app = benchapp.build_app(impl, args["uri"])
    t0 = time.perf_counter()
    create_schema(app, impl)
    seed(app, impl, int(args["users"]))
    emit({"seconds": time.perf_counter() - t0})


def mode_ddl(args: dict[str, Any]) -> None:
    """The SQLite DDL of ``impl``'s schema (the driver keys its cached databases on it)."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    impl = args["impl"]
    app = benchapp.build_app(impl, "sqlite://")
    del app
    metadata = benchapp.models(impl).db.metadata
    dialect = sqlite.dialect()
    ddl = []
    for table in metadata.sorted_tables:
        ddl.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            ddl.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    emit({"ddl": ddl, "sqlalchemy": sa.__version__})


def mode_profile(args: dict[str, Any]) -> None:
    from pyinstrument import Profiler

    impl, scenario = args["impl"], args["scenario"]
    app = fresh_sqlite_app(impl)
    request = prepare(app, email_for(1))[scenario]
    check(app, scenario, request)
    for _ in range(200):
        call(app, request)
    profiler = Profiler(interval=0.0002)
    profiler.start()
    n, elapsed, _cpu = run_for(app, request, float(args.get("seconds", 3)))
    profiler.stop()
    with open(args["output"], "w") as fh:
        fh.write(f"# {impl} {scenario}: {n} requests in {elapsed:.2f} s\n")
        fh.write(profiler.output_text(unicode=False, color=False, show_all=False))
    emit({"n": n, "elapsed": elapsed, "output": args["output"]})


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    names = [
        "flask",
        "werkzeug",
        "flask-login",
        "flask-principal",
        "flask-sqlalchemy",
        "sqlalchemy",
        "flask-wtf",
        "wtforms",
        "bcrypt",
        "libpass",
        "itsdangerous",
        "flask-security",
        "fsec-core",
        "fsec-store-sqlalchemy",
        "psycopg",
    ]
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


MODES = {
    "serve": mode_serve,
    "resources": mode_resources,
    "init": mode_init,
    "scale": mode_scale,
    "build": mode_build,
    "ddl": mode_ddl,
    "profile": mode_profile,
}

if __name__ == "__main__":
    MODES[sys.argv[1]](json.loads(sys.argv[2]))
