"""pytest plugin (entry point ``pytest11: fsec``): fixtures for fsec tests.

* ``fsec_postgres`` (session): a :class:`~.postgres.PostgresServer`. Uses the server
  at ``FSEC_TEST_POSTGRES_URI`` when set (``postgresql://user@host:port``), else
  starts a throwaway cluster. Without PostgreSQL binaries the test is skipped, except
  under CI (``CI`` set), where it fails: CI must test against the real server.
* ``fsec_smtp`` (function): an :class:`~.smtp.SMTPSink` on a free port.
* ``fsec_live`` (function): ``fsec_live(config, **options)`` starts gunicorn serving
  an fsec app on a fresh database of ``fsec_postgres`` and a fresh ``fsec_smtp``
  server, and returns a :class:`~.live.LiveServer`; every server started is stopped
  at teardown. See :func:`_live_factory` for the options. ``fsec_live_module``: the
  same, stopped when the test module ends.
* ``fsec_hanging_smtp`` (function): a :class:`~.smtp.HangingSMTP` (accepts, never
  answers).
* ``fsec_redis`` (session): a throwaway :class:`~.redis.RedisServer`. Without the
  ``redis-server`` binary the test is skipped, except under CI (``CI`` set).
* ``fsec_clock_shift`` (function): ``with fsec_clock_shift(-2 * 86400): ...`` signs
  itsdangerous tokens as if made that many seconds later (negative: earlier), to test
  the ``*_WITHIN`` expiries without waiting.
* ``fsec_browser`` (session): a :class:`~.browser.Browser` (headless Chromium driven
  by Playwright), one per test session or xdist worker. Without Chromium or the
  ``playwright`` package the test **fails** with the install command, unless
  ``FSEC_BROWSER=skip`` is set (then it is skipped).
* ``fsec_page`` (function): ``fsec_page(base_url, **options)`` opens a
  :class:`~.browser.BrowserPage` (own cookies) whose screenshots go to
  ``<output>/browser/<test name>/`` (emptied when the test starts; see
  :func:`~.browser.output_dir`); at teardown every page is closed and the test fails
  when a page saw a console error, a page error or a 5xx response.
* The terminal summary gets one line per contract suite, store and database run
  (:mod:`.contract_report`).
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest

from .live import DEFAULT_FACTORY, LiveServer
from .postgres import PostgresServer, PostgresUnavailable, start_postgres

_live_databases = itertools.count()


@pytest.fixture(scope="session")
def fsec_postgres() -> Iterator[PostgresServer]:
    """(session) A PostgreSQL server: ``FSEC_TEST_POSTGRES_URI`` when set, else a
    throwaway cluster; ``create_database(name)`` gives a URL. Skipped without the
    server binaries, except under CI."""
    uri = os.environ.get("FSEC_TEST_POSTGRES_URI")
    if uri:
        parts = urlsplit(uri)
        server = PostgresServer(
            parts.hostname or "127.0.0.1", parts.port or 5432, user=parts.username or "postgres"
        )
        from .postgres import _bindir

        server._bindir = _bindir()
        yield server
        return
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI: {exc}")
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fsec_smtp() -> Iterator[object]:
    """A real SMTP server (aiosmtpd, an :class:`~.smtp.SMTPSink`) on a free port,
    keeping the messages it receives; ``reject = n`` refuses the next ``n`` mails."""
    pytest.importorskip("aiosmtpd")
    from .smtp import start_smtp

    sink = start_smtp()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def fsec_hanging_smtp() -> Iterator[object]:
    """A :class:`~.smtp.HangingSMTP`: accepts connections and never answers (to test
    ``MAIL_TIMEOUT``)."""
    from .smtp import start_hanging_smtp

    server = start_hanging_smtp()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def fsec_redis() -> Iterator[object]:
    """(session) A throwaway ``redis-server`` (:class:`~.redis.RedisServer`, ``url``),
    persistence off. Skipped without the binary, except under CI."""
    from .redis import RedisUnavailable, start_redis

    try:
        server = start_redis()
    except RedisUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required under CI: {exc}")
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def fsec_browser() -> Iterator[Any]:
    """(session) One headless Chromium (:class:`~.browser.Browser`) per test session
    or xdist worker; fails loudly when Chromium is missing."""
    from .browser import Browser, BrowserUnavailable

    try:
        browser = Browser()
    except BrowserUnavailable as exc:
        missing = str(exc)
    else:
        missing = ""
    if missing:
        if os.environ.get("FSEC_BROWSER") == "skip":
            pytest.skip(f"FSEC_BROWSER=skip: {missing}")
        pytest.fail(f"browser tests need Chromium and Playwright: {missing}", pytrace=False)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def fsec_page(request: pytest.FixtureRequest, fsec_browser: Any) -> Iterator[Callable[..., Any]]:
    """``fsec_page(base_url, **options) -> BrowserPage``; options as
    :meth:`~.browser.Browser.new_page` (``viewport``, ``locale``...) plus ``name``: the
    screenshot sub-folder when a test opens several pages (``shots/<test>/<name>/``)."""
    from .browser import output_dir, slug

    test_dir = output_dir(request.config.rootpath) / "browser" / slug(request.node.name)
    shutil.rmtree(test_dir, ignore_errors=True)
    pages: list[Any] = []

    def open_page(base_url: str, *, name: str | None = None, **options: Any) -> Any:
        shots = test_dir / slug(name) if name else test_dir
        page = fsec_browser.new_page(base_url, shots, **options)
        pages.append(page)
        return page

    yield open_page
    problems = [p for page in pages for p in page.problems]
    for page in pages:
        page.close()
    if problems:
        pytest.fail("browser problems:\n  " + "\n  ".join(str(p) for p in problems), pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    from .contract_report import ContractReport

    config.pluginmanager.register(ContractReport(), "fsec-contract-report")


@contextmanager
def _clock_shift(seconds: int) -> Iterator[None]:
    from itsdangerous import TimestampSigner

    original = TimestampSigner.get_timestamp

    def shifted(self: object) -> int:
        return int(time.time()) + seconds

    TimestampSigner.get_timestamp = shifted  # type: ignore[method-assign]
    try:
        yield
    finally:
        TimestampSigner.get_timestamp = original  # type: ignore[method-assign]


@pytest.fixture
def fsec_clock_shift() -> Callable[[int], AbstractContextManager[None]]:
    """``with fsec_clock_shift(seconds): ...``: tokens signed inside carry a timestamp
    ``seconds`` away from now (negative: in the past)."""
    return _clock_shift


@pytest.fixture
def fsec_live(request: pytest.FixtureRequest) -> Iterator[Callable[..., LiveServer]]:
    """``fsec_live(config=None, **options) -> LiveServer``; see :func:`_live_factory`."""
    yield from _live_servers(request)


@pytest.fixture(scope="module")
def fsec_live_module(request: pytest.FixtureRequest) -> Iterator[Callable[..., LiveServer]]:
    """As ``fsec_live``, but the servers live until the test module ends (share one
    server between the tests of a module)."""
    yield from _live_servers(request)


def _live_servers(request: pytest.FixtureRequest) -> Iterator[Callable[..., LiveServer]]:
    pytest.importorskip("gunicorn")
    started: list[tuple[LiveServer, Any]] = []
    try:
        yield _live_factory(request, started)
    finally:
        for server, sink in started:
            server.stop()
            if sink is not None:
                sink.stop()
            shutil.rmtree(server._dir, ignore_errors=True)


def _live_factory(
    request: pytest.FixtureRequest, started: list[tuple[LiveServer, Any]]
) -> Callable[..., LiveServer]:
    def start(
        config: dict[str, Any] | None = None,
        *,
        factory: str = DEFAULT_FACTORY,
        workers: int = 4,
        threads: int = 1,
        database: bool = True,
        driver: str = "postgresql+psycopg",
        database_key: str = "SQLALCHEMY_DATABASE_URI",
        mail: bool = True,
        worker_timeout: int = 30,
    ) -> LiveServer:
        """Start a live server; see :func:`flask_security.testing.live.start_live_server`.

        :param config: the app's config (JSON-serialisable).
        :param factory: ``"module:function"`` building the app from a config dict.
        :param workers: gunicorn worker processes (4).
        :param threads: threads per worker (1: sync workers; more: gthread).
        :param database: give the app a new, empty PostgreSQL database of
            ``fsec_postgres`` (its URL, with ``driver``, goes to
            ``config[database_key]``); ``False``: the config names its own.
        :param mail: start a new SMTP server for this app (``server.mails()``).
        :param worker_timeout: seconds before gunicorn kills a busy worker.
        """
        from .live import start_live_server
        from .smtp import start_smtp

        db_url = None
        if database:
            pytest.importorskip("psycopg" if "psycopg2" not in driver else "psycopg2")
            postgres: PostgresServer = request.getfixturevalue("fsec_postgres")
            name = f"fsec_live_{os.getpid()}_{next(_live_databases)}"
            postgres.create_database(name)
            db_url = postgres.url(name, driver)
        sink = None
        if mail:
            pytest.importorskip("aiosmtpd")
            sink = start_smtp()
        try:
            server = start_live_server(
                config,
                factory=factory,
                database_url=db_url,
                database_key=database_key,
                smtp=sink,
                workers=workers,
                threads=threads,
                worker_timeout=worker_timeout,
            )
        except BaseException:
            if sink is not None:
                sink.stop()
            raise
        started.append((server, sink))
        return server

    return start
