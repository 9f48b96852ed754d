"""A server started as a command of its own (the demo's ``python app.py``,
``flask run``...) for browser and end-to-end tests: :func:`start_process_server`
runs it and waits until it answers HTTP, :class:`ProcessServer` reads its output and
stops it. Also :class:`LiveServerError`, raised when a server of the live harness
does not start. All importable from :mod:`flask_security.testing.live`.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class LiveServerError(RuntimeError):
    """A server did not start: gunicorn (:func:`~flask_security.testing.live.start_live_server`)
    or a command (:func:`start_process_server`); the message ends with its log."""


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
        terminate(process)
        if self._file is not None:
            self._file.close()
            self._file = None


def terminate(process: subprocess.Popen[Any] | None) -> None:
    """Stop ``process`` if it still runs: SIGTERM, then SIGKILL after 10 seconds.

    :param process: the process, or ``None`` (nothing to do).
    """
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


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


__all__ = ["LiveServerError", "ProcessServer", "start_process_server"]
