"""flask_security.testing.redis: a throwaway Redis is really stopped, so a test run
leaves no redis-server behind (one outlived a run when the server answered PING
before it had written its pidfile, so its pid stayed unknown)."""

from __future__ import annotations

import os
import shutil

import pytest
from flask_security.testing.redis import start_redis

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None and not os.environ.get("CI"),
    reason="redis-server is not installed",
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("trial", range(5))
def test_a_started_server_knows_its_pid_and_stop_ends_it(trial):
    server = start_redis()
    try:
        assert server.pid > 0 and _alive(server.pid)
    finally:
        server.stop()
    assert not _alive(server.pid)
    assert not os.path.exists(server.datadir)


def test_stop_reads_a_pid_written_after_start_returned():
    server = start_redis()
    pid, server.pid = server.pid, 0  # as if the pidfile came late
    server.stop()
    assert not _alive(pid)
