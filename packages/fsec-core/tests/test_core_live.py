"""The live-server harness (flask_security.testing.live): real gunicorn workers on a
real PostgreSQL database and a real SMTP server, barrier-released requests, and the
server log read back."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from flask import url_for
from flask_security.testing.app import User, add_user, db
from flask_security.testing.live import LiveClient, race

FACTORY = textwrap.dedent(
    """
    import os

    from flask import jsonify
    from flask_security.testing.app import create_app


    def create(config):
        app = create_app(config)

        @app.route("/boom")
        def boom():
            raise RuntimeError("live harness test")

        @app.route("/pid")
        def pid():
            return jsonify(pid=os.getpid())

        return app
    """
)


@pytest.fixture
def live_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A factory module written to disk: gunicorn's workers import it through the
    test process's sys.path."""
    (tmp_path / "fsec_live_factory_mod.py").write_text(FACTORY)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "fsec_live_factory_mod:create"


def test_live_server_serves_logins_from_every_worker(fsec_live: Any, live_factory: str) -> None:
    server = fsec_live({"SECURITY_CHANGEABLE": True}, factory=live_factory, workers=4)
    assert server.db_url is not None and server.db_url.startswith("postgresql+psycopg://")
    # Mailed links point at the live server; mail really goes out.
    assert server.config["SERVER_NAME"] == server.url.removeprefix("http://")
    assert server.config["MAIL_SUPPRESS_SEND"] is False
    with server.app.test_request_context():
        assert url_for("public", _external=True) == f"{server.url}/public"
    add_user(server.app, "matt@example.com", "password")

    # Sixteen barrier-released requests land on more than one worker process.
    clients = [server.client() for _ in range(16)]
    answers = race([c.prepare("GET", "/pid") for c in clients])
    assert [a.status for a in answers] == [200] * 16
    assert len({a.json()["pid"] for a in answers}) > 1
    assert os.getpid() not in {a.json()["pid"] for a in answers}

    # A session cookie set by one worker is honoured by the others.
    browser = server.client()
    response = browser.post("/login", json={"email": "matt@example.com", "password": "password"})
    assert response.status == 200
    for _ in range(6):
        assert browser.get("/").text == "Hello matt@example.com"
    assert server.client().get("/").status == 302

    # The change-password notice goes through the real SMTP server.
    response = browser.post(
        "/change",
        json={
            "password": "password",
            "new_password": "another-password",
            "new_password_confirm": "another-password",
        },
    )
    assert response.status == 200, response.text
    (mail,) = server.mails(1)
    assert mail["To"] == "matt@example.com"

    # The database row the workers wrote is what the in-process app reads.
    with server.app.app_context():
        db.session.expire_all()
        (user,) = db.session.query(User).all()
        assert user.email == "matt@example.com"

    assert server.tracebacks() == 0
    statuses = server.statuses(16 + 1 + 6 + 1 + 1)
    assert len(statuses) == 16 + 1 + 6 + 1 + 1
    assert not [s for s in statuses if s >= 500]


def test_live_server_log_counts_tracebacks_and_5xx(fsec_live: Any, live_factory: str) -> None:
    server = fsec_live(factory=live_factory, workers=2, mail=False)
    client = server.client()
    assert client.get("/boom").status == 500
    assert client.get("/boom").status == 500
    assert client.get("/public").status == 200
    assert server.tracebacks() == 2
    assert "RuntimeError: live harness test" in server.log_text()
    assert sorted(server.statuses(3)) == [200, 500, 500]
    with pytest.raises(RuntimeError):
        server.mails()
    server.stop()
    with pytest.raises(OSError):
        client.get("/public", timeout=2)


def test_race_reraises_a_failed_call() -> None:
    def fail() -> None:
        raise ValueError("raced")

    with pytest.raises(ValueError, match="raced"):
        race([lambda: 1, fail, lambda: 2])
    assert race([lambda: 1, lambda: 2]) == [1, 2]


def test_client_keeps_and_expires_cookies() -> None:
    from email.message import Message

    client = LiveClient("http://127.0.0.1:1")
    headers = Message()
    headers["Set-Cookie"] = "session=abc; Path=/; HttpOnly"
    headers["Set-Cookie"] = "remember=xyz; Path=/"
    client.store_cookies(headers)
    assert re.fullmatch(r"session=abc; remember=xyz", client.cookie_header())
    expired = Message()
    expired["Set-Cookie"] = "remember=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"
    client.store_cookies(expired)
    assert client.cookie_header() == "session=abc"
