"""The Celery mail recipe (examples/celery-mail/fsec_mail_queue.py) for real.

A real ``redis-server`` broker (``fsec_redis``), a real ``celery worker`` process, a
real SMTP server (aiosmtpd) that can answer ``451`` (try later) or ``554`` (refused),
and a port where nothing listens. The web side is the test client in the production
delivery mode (``SECURITY_MAIL_DELIVERY = "background"``): the mail is queued after
the response has been sent.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("celery")
pytest.importorskip("redis")

from flask_security.testing.app import add_user, create_app
from flask_security.testing.smtp import refused_port, start_smtp

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "examples" / "celery-mail"

WORKER_APP = """
import json, os
from flask_security.testing.app import create_app
from fsec_mail_queue import celery_init_app, init_mail_queue

flask_app = create_app(json.loads(os.environ["FSEC_TEST_APP_CONFIG"]))
celery_app = celery_init_app(flask_app)
init_mail_queue(flask_app, flask_app.extensions["security"])
"""


def app_config(redis_url: str, smtp_port: int, db: Path, queue: str) -> dict[str, Any]:
    return {
        "TESTING": False,
        "SECURITY_MAIL_DELIVERY": "background",
        "SECURITY_RECOVERABLE": True,
        "SECURITY_EXTERNAL_BASE_URL": "https://accounts.example.org",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db}",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT": 2,
        "MAIL_DEFAULT_SENDER": "accounts@example.org",
        "FSEC_MAIL_MAX_RETRIES": 2,
        "FSEC_MAIL_RETRY_DELAY": 0.2,
        "CELERY": {
            "broker_url": redis_url,
            "task_default_queue": queue,
            "broker_connection_retry_on_startup": True,
        },
    }


class Stack:
    """The web app (test client), the worker process and its log."""

    def __init__(self, tmp: Path, config: dict[str, Any]) -> None:
        sys.path.insert(0, str(RECIPE))
        from fsec_mail_queue import celery_init_app, init_mail_queue

        self.app = create_app(config)
        celery_init_app(self.app)
        init_mail_queue(self.app, self.app.extensions["security"])
        self.user_id = add_user(self.app, "alice@example.com")
        (tmp / "worker_app.py").write_text(WORKER_APP)
        self.log = tmp / "worker.log"
        env = dict(os.environ)
        env["FSEC_TEST_APP_CONFIG"] = json.dumps(config)
        env["PYTHONPATH"] = os.pathsep.join([str(tmp), str(RECIPE), env.get("PYTHONPATH", "")])
        self.worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "worker_app:celery_app", "worker",
                "--pool=solo", "--concurrency=1", "--loglevel=INFO",
                "--without-mingle", "--without-gossip", "--without-heartbeat",
                "-Q", config["CELERY"]["task_default_queue"],
            ],
            cwd=tmp,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        assert self.wait_log(r"ready\.", 60), self.log_text()

    _offset = 0

    def mark(self) -> None:
        """Later :meth:`log_text` calls return only what the worker logs from now on."""
        self._offset = len(self.log.read_text()) if self.log.exists() else 0

    def log_text(self) -> str:
        return self.log.read_text()[self._offset :] if self.log.exists() else ""

    def wait_log(self, pattern: str, seconds: float = 30, count: int = 1) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(re.findall(pattern, self.log_text())) >= count:
                return True
            if self.worker.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def ask_reset(self) -> None:
        response = self.app.test_client().post(
            "/reset", json={"email": "alice@example.com"}, buffered=True
        )
        assert response.status_code == 200

    def stop(self) -> None:
        self.worker.terminate()
        try:
            self.worker.wait(20)
        except subprocess.TimeoutExpired:
            self.worker.kill()
            self.worker.wait()
        sys.path.remove(str(RECIPE))


@pytest.fixture(scope="module")
def module_smtp():
    pytest.importorskip("aiosmtpd")
    sink = start_smtp()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def shared_stack(fsec_redis, module_smtp, tmp_path_factory):
    """One worker for the tests that use the SMTP server (starting one takes seconds)."""
    tmp = tmp_path_factory.mktemp("celery-shared")
    stack = Stack(tmp, app_config(fsec_redis.url, module_smtp.port, tmp / "app.db", "fsec-shared"))
    yield stack
    stack.stop()


@pytest.fixture
def smtp_stack(shared_stack, module_smtp):
    """``(stack, smtp)`` with the SMTP server reset and the worker log position noted."""
    module_smtp.messages.clear()
    module_smtp.reject, module_smtp.rejected = 0, 0
    module_smtp.reject_reply = "554 5.7.1 Rejected"
    shared_stack.mark()
    return shared_stack, module_smtp


@pytest.fixture
def stack_for(fsec_redis, tmp_path, request):
    stacks = []

    def make(smtp_port: int) -> Stack:
        queue = f"fsec-mail-{request.node.name}-{time.monotonic_ns()}"
        stack = Stack(tmp_path, app_config(fsec_redis.url, smtp_port, tmp_path / "app.db", queue))
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop()


def wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_mail_goes_through_redis_and_the_worker(smtp_stack):
    stack, smtp = smtp_stack
    stack.ask_reset()
    assert wait_for(lambda: smtp.messages), stack.log_text()
    (mail,) = smtp.messages
    assert mail["To"] == "alice@example.com"
    assert mail["Subject"] == "Password reset instructions"
    (link,) = smtp.links(mail)
    assert link.startswith("https://accounts.example.org/reset/")
    assert stack.wait_log(r"fsec\.send_mail\[.*\] succeeded")


def test_try_later_is_retried_until_delivered(smtp_stack):
    stack, smtp = smtp_stack
    smtp.reject, smtp.reject_reply = 2, "451 4.3.0 Try again later"
    stack.ask_reset()
    assert wait_for(lambda: smtp.messages), stack.log_text()
    assert smtp.rejected == 2 and len(smtp.messages) == 1
    assert len(re.findall(r"fsec\.send_mail\[.*\] retry", stack.log_text())) == 2
    assert "could not deliver" not in stack.log_text()


def test_permanent_refusal_is_not_retried_and_is_logged(smtp_stack):
    stack, smtp = smtp_stack
    smtp.reject = 100  # 554 to everything
    stack.ask_reset()
    pattern = rf"could not deliver the 'reset_instructions' mail of user {stack.user_id}"
    assert stack.wait_log(pattern), stack.log_text()
    assert smtp.rejected == 1 and smtp.messages == []
    assert "retry" not in stack.log_text().split("could not deliver")[0].lower()


def test_unreachable_server_is_retried_then_logged(stack_for):
    stack = stack_for(refused_port())
    stack.ask_reset()
    pattern = rf"could not deliver the 'reset_instructions' mail of user {stack.user_id}"
    assert stack.wait_log(pattern, 60), stack.log_text()
    # FSEC_MAIL_MAX_RETRIES = 2: three attempts in all, then the log line.
    assert len(re.findall(r"fsec\.send_mail\[.*\] retry", stack.log_text())) == 2
    assert "ConnectionRefusedError" in stack.log_text()
