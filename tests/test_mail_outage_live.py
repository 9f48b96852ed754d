"""A failing mail server costs no 500, no stuck worker (issue 10 section 3), for real.

The app runs under gunicorn (sync workers, the production default; the shared
``fsec_live`` harness, on a real PostgreSQL database) in the production delivery mode
(``TESTING`` off: mail is rendered and sent after the response), with
``MAIL_TIMEOUT = 2``, against an SMTP server that hangs (accepts and never answers),
one that refuses the connection, and one that answers ``554``.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask_security.testing.app import add_user
from flask_security.testing.live import race
from flask_security.testing.smtp import refused_port

MAIL_TIMEOUT = 2
BASE = {
    "SECURITY_EXTERNAL_BASE_URL": "https://accounts.example.org",
    "MAIL_TIMEOUT": MAIL_TIMEOUT,
    "WTF_CSRF_ENABLED": False,
}


def wait_log(server: Any, pattern: str, count: int = 1, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(re.findall(pattern, server.log_text())) >= count:
            return True
        time.sleep(0.1)
    return False


def account(server: Any, email: str) -> tuple[bool, Any] | None:
    """``(exists, confirmed_at)`` of the account with ``email``, read from the database."""
    with server.app.app_context():
        datastore = server.app.extensions["security"].datastore
        user = datastore.find_user(email=email)
        return None if user is None else (True, user.confirmed_at)


def test_hanging_smtp_costs_no_500_and_no_worker(fsec_live, fsec_hanging_smtp):
    server = fsec_live(
        {
            **BASE,
            "SECURITY_RECOVERABLE": True,
            "MAIL_SERVER": fsec_hanging_smtp.host,
            "MAIL_PORT": fsec_hanging_smtp.port,
            "MAIL_SUPPRESS_SEND": False,
        },
        workers=2,
        mail=False,
    )
    user_id = add_user(server.app, "alice@example.com")
    # Eight requests at once on two workers: 3.0 (no timeout, mail in the request)
    # held both workers until gunicorn killed them and answered 500s.
    calls = []
    for _ in range(8):
        calls.append(server.client().prepare("POST", "/reset", json={"email": "alice@example.com"}))

    def timed(call):
        def run():
            start = time.perf_counter()
            response = call()
            return response.status, time.perf_counter() - start

        return run

    results = race([timed(c) for c in calls])
    assert [status for status, _ in results] == [200] * 8
    # None waited for the mail server (each SMTP attempt takes MAIL_TIMEOUT).
    assert max(seconds for _, seconds in results) < MAIL_TIMEOUT
    # The workers keep serving while the mails time out in the background.
    assert server.client().get("/login").status == 200
    pattern = rf"could not deliver the 'reset_instructions' mail of user {user_id}: \w+"
    assert wait_log(server, pattern, count=8), server.log_text()
    assert fsec_hanging_smtp.accepted == 8
    assert server.tracebacks() == 0
    assert "WORKER TIMEOUT" not in server.log_text()
    assert not [s for s in server.statuses() if s >= 500]


@pytest.mark.parametrize("fault", ["refused", "554"])
def test_registration_with_a_dead_mail_server(fsec_live, fault):
    config = {
        **BASE,
        "SECURITY_REGISTERABLE": True,
        "SECURITY_CONFIRMABLE": True,
        "SECURITY_RECOVERABLE": True,
    }
    if fault == "refused":
        config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=refused_port(), MAIL_SUPPRESS_SEND=False)
    server = fsec_live(config, workers=1, mail=fault == "554")
    if fault == "554":
        server.smtp.reject = 1  # the registration mail is refused, the next ones pass
    client = server.client()
    response = client.post(
        "/register", json={"email": "new@example.com", "password": "new-password-1"}
    )
    assert response.status == 200, response.text
    pattern = r"could not deliver the 'welcome' mail of user \d+: \w+"
    assert wait_log(server, pattern), server.log_text()
    # The account exists, unconfirmed; the user can ask for the mail again.
    assert account(server, "new@example.com") == (True, None)
    response = server.client().post("/confirm", json={"email": "new@example.com"})
    assert response.status == 200, response.text
    if fault == "refused":
        assert wait_log(server, r"'confirmation_instructions' mail of user \d+: ConnectionRefused")
        # Password recovery answers normally too, and logs.
        add_user(server.app, "alice@example.com")
        response = server.client().post("/reset", json={"email": "alice@example.com"})
        assert response.status == 200, response.text
        assert wait_log(server, r"'reset_instructions' mail of user \d+: ConnectionRefused")
    else:
        # Mail works again: the new mail arrives and its link confirms the account.
        (mail,) = server.mails(1)
        assert mail["Subject"] == "Please confirm your email"
        (link,) = server.smtp.links(mail)
        assert link.startswith("https://accounts.example.org/confirm/")
        server.client().get(link.removeprefix("https://accounts.example.org"))
        assert account(server, "new@example.com")[1] is not None
    assert server.tracebacks() == 0
    assert not [s for s in server.statuses() if s >= 500]
