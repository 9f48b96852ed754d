"""A failing mail server costs no 500, no stuck worker (issue 10 section 3), for real.

The app runs under gunicorn (sync workers, the production default) in the production
delivery mode (``TESTING`` off: mail is sent after the response), with
``MAIL_TIMEOUT = 2``, against an SMTP server that hangs (accepts and never answers),
one that refuses the connection, and one that answers ``554``.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("gunicorn")

from flask_security.testing.postgres import free_port
from flask_security.testing.smtp import refused_port
from fsec_store_sqlalchemy.testing import add_user, create_app

MAIL_TIMEOUT = 2
APP_MODULE = """
import json, os
from fsec_store_sqlalchemy.testing import create_app
app = create_app(json.loads(os.environ["FSEC_TEST_APP_CONFIG"]))
"""


class Live:
    """gunicorn serving the test app; ``log`` holds the workers' stderr."""

    def __init__(self, tmp: Path, config: dict[str, Any], workers: int = 2) -> None:
        self.db = tmp / "app.db"
        config = {
            "TESTING": False,
            "SECURITY_EXTERNAL_BASE_URL": "https://accounts.example.org",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.db}",
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_TIMEOUT": MAIL_TIMEOUT,
            **config,
        }
        self.app = create_app(config)  # creates the tables before the workers start
        self.user_id = add_user(self.app, "alice@example.com")
        (tmp / "live_app.py").write_text(APP_MODULE)
        self.port = free_port()
        self.log = tmp / "gunicorn.log"
        env = dict(os.environ, FSEC_TEST_APP_CONFIG=json.dumps(config))
        env["PYTHONPATH"] = os.pathsep.join([str(tmp), env.get("PYTHONPATH", "")])
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--workers", str(workers),
                "--worker-class", "sync", "--timeout", "30",
                "--bind", f"127.0.0.1:{self.port}", "live_app:app",
            ],
            cwd=tmp,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/login")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start:\n" + self.log.read_text())

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, float, str]:
        """``(status, seconds, text)``; JSON body."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                text = resp.read().decode()
                status = resp.status
        except urllib.error.HTTPError as exc:
            text, status = exc.read().decode(), exc.code
        return status, time.perf_counter() - start, text

    def log_text(self) -> str:
        return self.log.read_text()

    def wait_log(self, pattern: str, count: int = 1, seconds: float = 30) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(re.findall(pattern, self.log_text())) >= count:
                return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def live(tmp_path):
    servers: list[Live] = []

    def start(config: dict[str, Any], workers: int = 2) -> Live:
        server = Live(tmp_path, config, workers)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def concurrently(n: int, fn) -> list[Any]:
    results: list[Any] = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_hanging_smtp_costs_no_500_and_no_worker(live, fsec_hanging_smtp):
    server = live(
        {
            "SECURITY_RECOVERABLE": True,
            "MAIL_SERVER": fsec_hanging_smtp.host,
            "MAIL_PORT": fsec_hanging_smtp.port,
        }
    )
    # Eight requests at once on two workers: 3.0 (no timeout, mail in the request)
    # held both workers until gunicorn killed them and answered 500s.
    results = concurrently(
        8, lambda: server.request("POST", "/reset", {"email": "alice@example.com"})
    )
    assert [status for status, _, _ in results] == [200] * 8
    # None waited for the mail server (each SMTP attempt takes MAIL_TIMEOUT).
    assert max(seconds for _, seconds, _ in results) < MAIL_TIMEOUT
    # The workers keep serving while the mails time out in the background.
    assert server.request("GET", "/login")[0] == 200
    pattern = rf"could not deliver the 'reset_instructions' mail of user {server.user_id}"
    assert server.wait_log(pattern, count=8), server.log_text()
    assert fsec_hanging_smtp.accepted == 8
    assert "Traceback" not in server.log_text().split("could not deliver")[0]
    assert "WORKER TIMEOUT" not in server.log_text()


def _users(db: Path) -> list[tuple[str, Any]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT email, confirmed_at FROM user ORDER BY id").fetchall()


@pytest.mark.parametrize("fault", ["refused", "554"])
def test_registration_with_a_dead_mail_server(live, fsec_smtp, fault):
    port = refused_port() if fault == "refused" else fsec_smtp.port
    if fault == "554":
        fsec_smtp.reject = 1  # the registration mail is refused, the next ones pass
    server = live(
        {
            "SECURITY_REGISTERABLE": True,
            "SECURITY_CONFIRMABLE": True,
            "SECURITY_RECOVERABLE": True,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
        },
        workers=1,
    )
    status, _seconds, text = server.request(
        "POST", "/register", {"email": "new@example.com", "password": "new-password-1"}
    )
    assert status == 200, text
    pattern = r"could not deliver the 'welcome' mail of user \d+"
    assert server.wait_log(pattern), server.log_text()
    # The account exists, unconfirmed; the user can ask for the mail again.
    assert _users(server.db)[-1] == ("new@example.com", None)
    status, _, text = server.request("POST", "/confirm", {"email": "new@example.com"})
    assert status == 200, text
    if fault == "refused":
        assert server.wait_log(r"'confirmation_instructions' mail of user \d+: .*[Rr]efused")
        # Password recovery answers normally too, and logs.
        status, _, text = server.request("POST", "/reset", {"email": "alice@example.com"})
        assert status == 200, text
        assert server.wait_log(rf"'reset_instructions' mail of user {server.user_id}: ")
        return
    # The server works again: the new mail arrives and its link confirms the account.
    deadline = time.monotonic() + 20
    while not fsec_smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    (mail,) = fsec_smtp.messages
    assert mail["Subject"] == "Please confirm your email"
    (link,) = fsec_smtp.links(mail)
    path = link.removeprefix("https://accounts.example.org")
    assert server.request("GET", path)[0] == 200
    assert _users(server.db)[-1][1] is not None
