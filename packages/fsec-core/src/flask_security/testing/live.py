"""A real multi-process server for concurrency, fault and fuzz tests.

:func:`start_live_server` runs gunicorn (several worker processes, each building the
app from an importable factory) on a free 127.0.0.1 port, against a database the
caller names (a real PostgreSQL database from ``fsec_postgres`` in fsec's tests) and
a real SMTP server, and captures the server's log; :class:`LiveServer` reads the
log's statuses and tracebacks and the mails captured. The HTTP client and
:func:`race` (barrier-released concurrent requests) are in :mod:`.live_http`, a
server run as a command of its own (:func:`start_process_server`) in
:mod:`.live_process`; every name is importable from here.

The pytest fixture ``fsec_live`` (in :mod:`.fixtures`) wires these together::

    def test_reset_once(fsec_live):
        server = fsec_live({"SECURITY_RECOVERABLE": True})
        add_user(server.app, "a@example.com")          # in-process app, same database
        server.client().post("/reset", form={"email": "a@example.com"})
        (mail,) = server.mails(1)
        ...
        assert server.tracebacks() == 0
        assert not [s for s in server.statuses() if s >= 500]

Needs ``gunicorn`` (a test dependency) and a database every worker reaches.
"""

from __future__ import annotations

import json as jsonlib
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from importlib import import_module
from typing import Any

from .live_http import LiveClient as LiveClient
from .live_http import LiveResponse as LiveResponse
from .live_http import PreparedRequest as PreparedRequest
from .live_http import race as race
from .live_process import LiveServerError as LiveServerError
from .live_process import ProcessServer as ProcessServer
from .live_process import start_process_server as start_process_server
from .live_process import terminate
from .postgres import free_port

#: The default app factory: the shared test app (needs fsec-store-sqlalchemy installed).
DEFAULT_FACTORY = "flask_security.testing.app:create_app"

#: What a worker writes to stderr once its app is built.
READY_MARK = "fsec-live: worker "


@dataclass
class LiveServer:
    """A running gunicorn serving an fsec app. Stop it with :meth:`stop` (the
    ``fsec_live`` fixture does).

    :ivar url: ``http://127.0.0.1:<port>``.
    :ivar app: the same app built in the test process on the same database and
        config, to create users and read rows (``with server.app.app_context(): ...``).
    :ivar config: the config every worker got (JSON-serialisable dict).
    :ivar db_url: the database URL given to the app, or ``None``.
    :ivar smtp: the SMTP server receiving the app's mail (an
        :class:`~.smtp.SMTPSink`), or ``None``.
    :ivar workers: the number of worker processes.
    """

    url: str
    app: Any
    config: dict[str, Any]
    db_url: str | None
    smtp: Any
    workers: int
    log_path: str
    access_log_path: str
    _process: subprocess.Popen[bytes] | None = None
    _dir: str = ""
    _log_file: Any = None
    _extra: list[Callable[[], None]] = field(default_factory=list)

    def client(self) -> LiveClient:
        """A new :class:`LiveClient` (own cookie jar) for this server."""
        return LiveClient(self.url)

    def log_text(self) -> str:
        """Everything gunicorn and the app wrote to stdout/stderr so far (the error
        log: worker boots, app log records, tracebacks)."""
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def tracebacks(self) -> int:
        """How many Python tracebacks the server log holds."""
        return self.log_text().count("Traceback (most recent call last)")

    def statuses(self, count: int = 0, timeout: float = 10.0) -> list[int]:
        """The status code of every request answered so far, from the access log, in
        the order they completed.

        gunicorn writes an access-log line just after it sent the response, so a
        client can read a response before its line exists: this waits up to
        ``timeout`` seconds until there are at least ``count`` lines, then until the
        log has not grown for 0.1 s.

        :raises TimeoutError: fewer than ``count`` lines within ``timeout``.
        """
        deadline = time.monotonic() + timeout
        seen = self._read_statuses()
        while len(seen) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(seen)} of {count} requests logged")
            time.sleep(0.01)
            seen = self._read_statuses()
        while True:
            time.sleep(0.1)
            again = self._read_statuses()
            if len(again) == len(seen) or time.monotonic() > deadline:
                return again
            seen = again

    def _read_statuses(self) -> list[int]:
        with open(self.access_log_path, encoding="utf-8", errors="replace") as fh:
            return [int(line.split(" ", 1)[0]) for line in fh if line[:3].isdigit()]

    def mails(self, count: int = 0, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages the SMTP server received, waiting up to ``timeout`` seconds
        until there are at least ``count``.

        :raises RuntimeError: the server was started without an SMTP server.
        :raises TimeoutError: fewer than ``count`` arrived in time.
        """
        if self.smtp is None:
            raise RuntimeError("this live server has no SMTP server")
        deadline = time.monotonic() + timeout
        while len(self.smtp.messages) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.smtp.messages)} of {count} mails arrived")
            time.sleep(0.01)
        return list(self.smtp.messages)

    def stop(self) -> None:
        """Stop gunicorn (SIGTERM, then SIGKILL after 10 s) and release the
        in-process app's database connections. The logs stay readable. Safe to call
        twice."""
        process, self._process = self._process, None
        terminate(process)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        for cleanup in self._extra:
            cleanup()
        self._extra.clear()


def _dispose_sqlalchemy(app: Any) -> Callable[[], None]:
    def dispose() -> None:
        ext = getattr(app, "extensions", {}).get("sqlalchemy")
        if ext is None:
            return
        with app.app_context():
            ext.session.remove()
            for engine in ext.engines.values():
                engine.dispose()

    return dispose


def start_live_server(
    config: Mapping[str, Any] | None = None,
    *,
    factory: str = DEFAULT_FACTORY,
    database_url: str | None = None,
    database_key: str = "SQLALCHEMY_DATABASE_URI",
    smtp: Any = None,
    workers: int = 4,
    threads: int = 1,
    worker_timeout: int = 30,
    ready_timeout: float = 60.0,
) -> LiveServer:
    """Start gunicorn serving ``factory(config)`` on a free 127.0.0.1 port.

    The app is first built once in this process (creating its tables, so workers
    starting together do not race to create them; it stays available as
    :attr:`LiveServer.app`), then gunicorn starts ``workers`` processes, each
    building its own app; this returns when every worker is ready.

    The config every app gets is ``config`` plus: ``SERVER_NAME`` =
    ``127.0.0.1:<port>`` (mailed links point at the server), ``TESTING`` = ``False``
    (errors are logged as in production) unless ``config`` sets them;
    ``config[database_key]`` = ``database_url`` when given; and, with ``smtp``,
    ``MAIL_SERVER``/``MAIL_PORT`` pointing at it and ``MAIL_SUPPRESS_SEND`` =
    ``False``.

    :param config: app config, JSON-serialisable (it reaches the workers through the
        ``FSEC_LIVE_CONFIG`` environment variable).
    :param factory: ``"module:function"`` importable by the workers (they get this
        process's ``sys.path`` as ``PYTHONPATH``); called as ``function(config)``,
        returns a Flask app. Default: :data:`DEFAULT_FACTORY`.
    :param database_url: the database every process uses (one all processes share:
        not ``sqlite://`` in memory).
    :param database_key: the config key that receives ``database_url``.
    :param smtp: an :class:`~.smtp.SMTPSink` receiving the app's mail, or ``None``.
    :param workers: gunicorn worker processes.
    :param threads: threads per worker (``> 1`` uses the ``gthread`` worker class,
        else ``sync``).
    :param worker_timeout: gunicorn ``--timeout``: seconds a request may take before
        the worker is killed.
    :param ready_timeout: seconds to wait for every worker to be ready.
    :returns: the running :class:`LiveServer`.
    :raises LiveServerError: gunicorn exited or a worker was not ready in time.
    :raises TypeError: ``config`` is not JSON-serialisable.
    """
    port = free_port()
    merged: dict[str, Any] = {"SERVER_NAME": f"127.0.0.1:{port}", "TESTING": False}
    merged.update(config or {})
    if database_url is not None:
        merged[database_key] = database_url
    if smtp is not None:
        merged.update(MAIL_SERVER=smtp.host, MAIL_PORT=smtp.port, MAIL_SUPPRESS_SEND=False)
    payload = jsonlib.dumps(merged)

    module_name, _, attr = factory.partition(":")
    app = getattr(import_module(module_name), attr)(jsonlib.loads(payload))

    workdir = tempfile.mkdtemp(prefix="fsec-live-")
    log_path = os.path.join(workdir, "server.log")
    access_path = os.path.join(workdir, "access.log")
    open(access_path, "w").close()
    env = dict(os.environ)
    env.update(
        FSEC_LIVE_FACTORY=factory,
        FSEC_LIVE_CONFIG=payload,
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p and os.path.isdir(p)),
        PYTHONUNBUFFERED="1",
    )
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:flask_security.testing.live_gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--timeout",
        str(worker_timeout),
        "--graceful-timeout",
        "1",
        "--no-control-socket",
        "--error-logfile",
        "-",
        "--access-logfile",
        access_path,
        "--access-logformat",
        "%(s)s %(m)s %(U)s",
        "flask_security.testing.live_wsgi:app",
    ]
    log_file = open(log_path, "wb")
    process = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        app=app,
        config=merged,
        db_url=database_url,
        smtp=smtp,
        workers=workers,
        log_path=log_path,
        access_log_path=access_path,
        _process=process,
        _dir=workdir,
        _log_file=log_file,
    )
    server._extra.append(_dispose_sqlalchemy(app))
    deadline = time.monotonic() + ready_timeout
    ready = re.compile(re.escape(READY_MARK) + r"\d+ ready")
    while len(ready.findall(server.log_text())) < workers:
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise LiveServerError(
                f"gunicorn did not get {workers} workers ready:\n{server.log_text()}"
            )
        time.sleep(0.02)
    return server


__all__ = [
    "DEFAULT_FACTORY",
    "LiveClient",
    "LiveResponse",
    "LiveServer",
    "LiveServerError",
    "PreparedRequest",
    "ProcessServer",
    "race",
    "start_live_server",
    "start_process_server",
]
