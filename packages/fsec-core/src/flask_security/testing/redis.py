"""A throwaway Redis server for tests (the Debian ``redis-server`` package).

Started in a temporary directory, listening on 127.0.0.1 only, on a free port, with
persistence off; ready in well under a second. Used by the Celery mail recipe's tests
(a real broker, a real worker process).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

from .postgres import free_port


class RedisUnavailable(RuntimeError):
    """No ``redis-server`` binary was found (install the ``redis-server`` package)."""


@dataclass
class RedisServer:
    """A running throwaway Redis.

    :ivar host: ``127.0.0.1``; :ivar port: its TCP port; :ivar datadir: its directory.
    """

    host: str
    port: int
    datadir: str
    pid: int = 0

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://{self.host}:{self.port}/0"

    def stop(self) -> None:
        """Stop the server (by the pid it wrote) and remove its directory."""
        self.pid = self.pid or _read_pid(os.path.join(self.datadir, "redis.pid"))
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            for _ in range(100):
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.02)
        shutil.rmtree(self.datadir, ignore_errors=True)


def _read_pid(pidfile: str) -> int:
    """The pid in ``pidfile``, or ``0`` while it is missing or not written yet."""
    try:
        with open(pidfile) as fh:
            text = fh.read().strip()
    except OSError:
        return 0
    return int(text) if text.isdigit() else 0


def start_redis(timeout: float = 10.0) -> RedisServer:
    """Start a throwaway Redis; the caller must :meth:`RedisServer.stop` it.

    :param timeout: seconds to wait for it to accept connections.
    :raises RedisUnavailable: no ``redis-server`` binary on ``PATH``.
    :raises RuntimeError: it did not start (its log is in the message).
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisUnavailable("redis-server not found (apt-get install redis-server)")
    datadir = tempfile.mkdtemp(prefix="fsec-redis-")
    port = free_port()
    pidfile = os.path.join(datadir, "redis.pid")
    logfile = os.path.join(datadir, "redis.log")
    subprocess.run(
        [
            binary,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--dir", datadir,
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "yes",
            "--pidfile", pidfile,
            "--logfile", logfile,
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = RedisServer("127.0.0.1", port, datadir)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server.pid = server.pid or _read_pid(pidfile)
        try:
            with socket.create_connection((server.host, port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                # Ready only once its pid is known too: a server answering before it
                # wrote its pidfile could otherwise never be stopped (it outlived runs).
                if sock.recv(16).startswith(b"+PONG") and server.pid:
                    return server
        except OSError:
            pass
        time.sleep(0.05)
    log = open(logfile).read() if os.path.exists(logfile) else ""
    server.stop()
    raise RuntimeError(f"redis-server did not start on port {port}:\n{log}")
