"""pytest plugin (entry point ``pytest11: fsec``): fixtures for fsec tests.

* ``fsec_postgres`` (session): a :class:`~.postgres.PostgresServer`. Uses the server
  at ``FSEC_TEST_POSTGRES_URI`` when set (``postgresql://user@host:port``), else
  starts a throwaway cluster. Without PostgreSQL binaries the test is skipped, except
  under CI (``CI`` set), where it fails: CI must test against the real server.
* ``fsec_smtp`` (function): an :class:`~.smtp.SMTPSink` on a free port.
* ``fsec_clock_shift`` (function): ``with fsec_clock_shift(-2 * 86400): ...`` signs
  itsdangerous tokens as if made that many seconds later (negative: earlier), to test
  the ``*_WITHIN`` expiries without waiting.
* The terminal summary gets one line per contract suite, store and database run
  (:mod:`.contract_report`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from urllib.parse import urlsplit

import pytest

from .postgres import PostgresServer, PostgresUnavailable, start_postgres


@pytest.fixture(scope="session")
def fsec_postgres() -> Iterator[PostgresServer]:
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
    pytest.importorskip("aiosmtpd")
    from .smtp import start_smtp

    sink = start_smtp()
    try:
        yield sink
    finally:
        sink.stop()


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
