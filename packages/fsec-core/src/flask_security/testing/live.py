"""A real multi-process server for concurrency, fault and fuzz tests.

:func:`start_live_server` runs gunicorn (several worker processes, each building the
app from an importable factory) on a free 127.0.0.1 port, against a database the
caller names (a real PostgreSQL database from ``fsec_postgres`` in fsec's tests) and
a real SMTP server, and captures the server's log. :func:`race` releases requests
from several threads at the same instant with a :class:`threading.Barrier`.
:class:`LiveClient` is a small HTTP client (stdlib ``http.client``, a cookie jar, no
redirect following) whose requests can open their TCP connection before the barrier,
so only the request itself is raced.

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

import http.client
import json as jsonlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from http.cookies import CookieError, SimpleCookie
from importlib import import_module
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from .postgres import free_port

#: The default app factory: the shared test app (needs fsec-store-sqlalchemy installed).
DEFAULT_FACTORY = "flask_security.testing.app:create_app"

#: What a worker writes to stderr once its app is built.
READY_MARK = "fsec-live: worker "

T = TypeVar("T")


class LiveServerError(RuntimeError):
    """gunicorn did not start (the message ends with its log)."""


@dataclass
class LiveResponse:
    """One HTTP response.

    :ivar status: the status code (``int``).
    :ivar headers: the response headers (``headers["Location"]``,
        ``headers.get_all("Set-Cookie")``).
    :ivar body: the body, as bytes.
    """

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON.

        :raises ValueError: the body is not JSON.
        """
        return jsonlib.loads(self.body)

    @property
    def location(self) -> str | None:
        """The ``Location`` header (a redirect's target), or ``None``."""
        return self.headers.get("Location")


class PreparedRequest:
    """A request that :func:`race` (or you) sends in two steps: :meth:`prepare` opens
    the TCP connection, calling the object sends the request and reads the response.
    Made by :meth:`LiveClient.prepare`.
    """

    def __init__(
        self,
        client: LiveClient,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
        timeout: float,
    ) -> None:
        self.client = client
        self.method = method
        self.path = path
        self.body = body
        self.headers = headers
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def prepare(self) -> None:
        """Open the connection now (``race`` calls this before the barrier)."""
        parts = urlsplit(self.client.base_url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        conn.connect()
        self._conn = conn

    def __call__(self) -> LiveResponse:
        """Send the request (opening the connection first when :meth:`prepare` was not
        called) and return the response; the client's cookies are updated.

        :raises OSError: the connection failed or timed out.
        """
        if self._conn is None:
            self.prepare()
        conn = self._conn
        assert conn is not None
        try:
            headers = dict(self.headers)
            cookie = self.client.cookie_header()
            if cookie and not any(k.lower() == "cookie" for k in headers):
                headers["Cookie"] = cookie
            conn.request(self.method, self.path, body=self.body, headers=headers)
            raw = conn.getresponse()
            response = LiveResponse(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
            self._conn = None
        self.client.store_cookies(response.headers)
        return response


class LiveClient:
    """A browser-like client for one :class:`LiveServer`: keeps cookies, never follows
    redirects. Not shared between threads (give each racing thread its own).

    :param base_url: ``http://127.0.0.1:<port>``.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def cookie_header(self) -> str:
        """The ``Cookie`` header value for the cookies held now (``""`` when none)."""
        with self._lock:
            return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def store_cookies(self, headers: Message) -> None:
        """Keep the cookies a response set; drop those it expired."""
        for line in headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(line)
            except CookieError:  # a cookie we cannot parse is ignored
                jar = SimpleCookie()
            with self._lock:
                for name, morsel in jar.items():
                    expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                    if expired or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def prepare(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> PreparedRequest:
        """A :class:`PreparedRequest` for :func:`race`; arguments as :meth:`request`."""
        all_headers = dict(headers or {})
        data: bytes | None
        if json is not None:
            data = jsonlib.dumps(json).encode()
            all_headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            data = urlencode(form).encode()
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        if path.startswith(("http://", "https://")):
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        return PreparedRequest(self, method, path, data, all_headers, timeout)

    def request(self, method: str, path: str, **kwargs: Any) -> LiveResponse:
        """Send one request now.

        :param method: ``"GET"``, ``"POST"``...
        :param path: ``"/login"``, or a full URL of this server (a mailed link: only its
            path and query are used).
        :param json: a value sent as a JSON body, or
        :param form: fields sent urlencoded, or
        :param body: raw bytes (or text, sent as UTF-8).
        :param headers: extra request headers.
        :param timeout: seconds for connecting and for each read.
        :raises OSError: the connection failed or timed out.
        """
        return self.prepare(method, path, **kwargs)()

    def get(self, path: str, **kwargs: Any) -> LiveResponse:
        """``request("GET", path, ...)``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> LiveResponse:
        """``request("POST", path, ...)``."""
        return self.request("POST", path, **kwargs)


def race(calls: Sequence[Callable[[], T]], timeout: float = 60.0) -> list[T]:
    """Run every call in its own thread, released at the same instant.

    Each thread first calls ``call.prepare()`` when the call has one (a
    :class:`PreparedRequest` opens its connection there), then waits on one
    :class:`threading.Barrier` shared by all, then makes the call.

    :param calls: the callables, one per thread.
    :param timeout: seconds to wait for the barrier and for every thread to finish.
    :returns: the results, in the order of ``calls``.
    :raises BaseException: the first exception a call raised (after all threads ended).
    :raises TimeoutError: a thread did not finish within ``timeout``.
    """
    barrier = threading.Barrier(len(calls), timeout=timeout)
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(i: int, call: Callable[[], T]) -> None:
        try:
            prepare = getattr(call, "prepare", None)
            if prepare is not None:
                prepare()
            barrier.wait()
            results[i] = call()
        except BaseException as exc:  # re-raised in the caller's thread
            errors[i] = exc
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            raise TimeoutError(f"a raced call did not finish within {timeout} s")
    for error in errors:
        if error is not None and not isinstance(error, threading.BrokenBarrierError):
            raise error
    for error in errors:
        if error is not None:
            raise error
    return results


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
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
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


@dataclass
class ProcessServer:
    """An HTTP server running as a command of its own (the demo's ``python app.py``,
    ``flask run``...), started by :func:`start_process_server`. Stop it with
    :meth:`stop`.

    :ivar url: ``http://<url_host>:<port>``.
    :ivar port: the TCP port it listens on.
    :ivar argv: the command.
    :ivar env: the variables given on top of the environment.
    :ivar output_path: the file its stdout and stderr go to.
    """

    url: str
    port: int
    argv: list[str]
    env: dict[str, str]
    output_path: str
    _process: subprocess.Popen[bytes] | None = None
    _file: Any = None

    def output(self) -> str:
        """Everything the process printed so far (stdout and stderr)."""
        with open(self.output_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 10.0) -> list[str]:
        """Wait until the output has at least ``count`` matches of the regular
        expression ``pattern`` (multiline, dot matches newlines) and return every match
        (group 1 when the pattern has a group, else the whole match).

        :raises TimeoutError: fewer than ``count`` matches within ``timeout`` seconds
            (the message ends with the output's tail).
        """
        compiled = re.compile(pattern, re.M | re.S)
        deadline = time.monotonic() + timeout
        while True:
            found = [
                m.group(1) if compiled.groups else m.group(0)
                for m in compiled.finditer(self.output())
            ]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(found)} of {count} matches of {pattern!r}; output ends:\n"
                    + self.output()[-2000:]
                )
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop the process (SIGTERM, SIGKILL after 10 s). Safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if self._file is not None:
            self._file.close()
            self._file = None


def start_process_server(
    argv: Sequence[str],
    port: int,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    url_host: str = "127.0.0.1",
    ready_path: str = "/",
    ready_timeout: float = 60.0,
) -> ProcessServer:
    """Run ``argv`` (a server that listens on 127.0.0.1:``port``) and wait until it
    answers HTTP.

    :param argv: the command, e.g. ``[sys.executable, "examples/demo/app.py"]``.
    :param port: the port the command was told to use (pick one with
        :func:`~.postgres.free_port`).
    :param env: variables added to this process's environment (``PYTHONUNBUFFERED=1``
        is always added, so printed lines arrive at once).
    :param cwd: the working directory.
    :param url_host: the host name in :attr:`ProcessServer.url` (``"localhost"`` for
        pages that need a secure context, such as WebAuthn).
    :param ready_path: polled with ``GET`` until any HTTP status comes back.
    :param ready_timeout: seconds to wait for that.
    :raises LiveServerError: the process exited or did not answer in time (the
        message ends with its output).
    """
    workdir = tempfile.mkdtemp(prefix="fsec-proc-")
    output_path = os.path.join(workdir, "output.log")
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["PYTHONUNBUFFERED"] = "1"
    out = open(output_path, "wb")
    process = subprocess.Popen(
        list(argv), cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT
    )
    server = ProcessServer(
        url=f"http://{url_host}:{port}",
        port=port,
        argv=list(argv),
        env=dict(env or {}),
        output_path=output_path,
        _process=process,
        _file=out,
    )
    deadline = time.monotonic() + ready_timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", ready_path)
            conn.getresponse().read()
            conn.close()
            return server
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise LiveServerError(f"{argv} did not answer on port {port}:\n{server.output()}")
        time.sleep(0.05)


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
