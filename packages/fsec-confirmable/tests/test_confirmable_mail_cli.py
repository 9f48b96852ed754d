"""Confirmation mails (recorded and through a real SMTP server), the CLI command and
start-up checks."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_security import RoleMixin, Security, UserMixin, user_confirmed
from flask_security.datastore import UserDatastore
from flask_security.testing.app import add_user

PASSWORD = "correct-horse"


# -- mails ---------------------------------------------------------------------------------


def test_welcome_mail_holds_the_confirmation_link(app: Any, client: Any, outbox: list[Any]) -> None:
    client.post("/register", json={"email": "new@example.com", "password": PASSWORD})
    (msg,) = outbox
    assert msg.subject == "Welcome"
    assert "http://localhost/confirm/" in msg.body
    assert 'href="http://localhost/confirm/' in msg.html


def test_no_welcome_mail_means_no_link_mail(make_confirmable_app: Any) -> None:
    """3.0 behaviour: the link travels in the welcome mail only; /confirm resends it."""
    app = make_confirmable_app({"SECURITY_SEND_REGISTER_EMAIL": False})
    with app.extensions["mail"].record_messages() as outbox:
        app.test_client().post("/register", json={"email": "n@example.com", "password": PASSWORD})
        assert outbox == []
        r = app.test_client().post("/confirm", json={"email": "n@example.com"})
        assert r.status_code == 200
        assert len(outbox) == 1


def test_instructions_mail_settings(make_confirmable_app: Any) -> None:
    app = make_confirmable_app(
        {
            "SECURITY_EMAIL_SUBJECT_CONFIRM": "Check your address",
            "SECURITY_EMAIL_HTML": False,
            "SECURITY_CONFIRM_EMAIL_WITHIN": "3 hours",
        }
    )
    add_user(app, "u@example.com")
    state = app.extensions["security"]
    state.mail_context_processor(lambda: {"site": "Example"})
    sent: list[Any] = []
    state.send_mail_task(sent.append)
    app.test_client().post("/confirm", json={"email": "u@example.com"})
    (msg,) = sent
    assert msg.subject == "Check your address"
    assert msg.html is None
    assert "3 hours" in msg.body
    assert "http://localhost/confirm/" in msg.body


def test_confirmation_through_real_smtp_server(make_confirmable_app: Any, fsec_smtp: Any) -> None:
    app = make_confirmable_app(
        {
            "MAIL_SERVER": fsec_smtp.host,
            "MAIL_PORT": fsec_smtp.port,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "accounts@example.org",
        }
    )
    client = app.test_client()
    r = client.post("/register", data={"email": "smtp@example.com", "password": PASSWORD})
    assert r.status_code == 302
    # Not signed in yet.
    assert (
        client.post("/login", json={"email": "smtp@example.com", "password": PASSWORD}).status_code
        == 400
    )

    (welcome,) = fsec_smtp.messages
    assert welcome["To"] == "smtp@example.com"
    assert welcome["Subject"] == "Welcome"
    confirm_links = [link for link in fsec_smtp.links(welcome) if "/confirm/" in link]
    assert len(confirm_links) == 1
    assert confirm_links[0] in fsec_smtp.html_of(welcome)

    # Ask for a fresh link, and follow the one that arrives.
    r = client.post("/confirm", data={"email": "smtp@example.com"})
    assert r.status_code == 200
    assert len(fsec_smtp.messages) == 2
    instructions = fsec_smtp.messages[1]
    assert instructions["Subject"] == "Please confirm your email"
    (link,) = fsec_smtp.links(instructions)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("http", "localhost")
    r = client.get(parts.path)
    assert r.status_code == 302
    assert client.get("/").get_data(as_text=True) == "Hello smtp@example.com"
    # The link does not work a second time, but the password does now.
    other = app.test_client()
    other.get(parts.path)
    assert other.get("/").status_code == 302
    r = other.post("/login", json={"email": "smtp@example.com", "password": PASSWORD})
    assert r.status_code == 200


# -- CLI -----------------------------------------------------------------------------------


def test_cli_confirm(app: Any, user_row: Any) -> None:
    add_user(app, "cli@example.com")
    events: list[str] = []

    def on_confirmed(sender: Any, user: Any, **extra: Any) -> None:
        events.append(user.email)

    user_confirmed.connect(on_confirmed, app)
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["users", "confirm", "CLI@example.com"])
        assert result.exit_code == 0, result.output
        assert "confirmed" in result.output
        assert user_row(app, "cli@example.com").confirmed_at is not None
        result = runner.invoke(args=["users", "confirm", "cli@example.com"])
        assert result.exit_code == 0
        assert "already confirmed" in result.output
    finally:
        user_confirmed.disconnect(on_confirmed, app)
    assert events == ["cli@example.com"]
    r = app.test_client().post("/login", json={"email": "cli@example.com", "password": "password"})
    assert r.status_code == 200


def test_cli_confirm_unknown_user(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["users", "confirm", "nobody@example.com"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == ["Error: no user 'nobody@example.com'"]


def test_cli_command_absent_when_off(make_confirmable_app: Any) -> None:
    app = make_confirmable_app({"SECURITY_CONFIRMABLE": False})
    result = app.test_cli_runner().invoke(args=["users", "confirm", "x@example.com"])
    assert result.exit_code != 0
    assert "No such command" in result.output


# -- start-up checks -------------------------------------------------------------------------


class PlainRole(RoleMixin):
    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)


class UserWithoutConfirmedAt(UserMixin):
    id = None
    email = None
    password = None
    active = True

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)


def test_missing_confirmed_at_fails_start_up() -> None:
    app = Flask("no_confirmed_at")
    app.config.update(SECRET_KEY="k", SECURITY_PASSWORD_SALT="s", SECURITY_CONFIRMABLE=True)
    datastore = UserDatastore(UserWithoutConfirmedAt, PlainRole)
    with pytest.raises(RuntimeError, match="UserWithoutConfirmedAt has no 'confirmed_at'"):
        Security(app, datastore)


def test_model_with_confirmed_at_starts(app: Any) -> None:
    assert "confirmable" in app.extensions["security"].plugins.infos


def test_bad_within_fails_start_up(make_confirmable_app: Any) -> None:
    with pytest.raises(ValueError, match="SECURITY_CONFIRM_EMAIL_WITHIN"):
        make_confirmable_app({"SECURITY_CONFIRM_EMAIL_WITHIN": "soon"})


def test_within_in_milliseconds_parses(make_confirmable_app: Any) -> None:
    from flask_security.utils import get_within_delta

    app = make_confirmable_app({"SECURITY_CONFIRM_EMAIL_WITHIN": "1 milliseconds"})
    with app.app_context():
        assert get_within_delta("CONFIRM_EMAIL_WITHIN") == datetime.timedelta(milliseconds=1)


def test_cli_confirm_refuses_undecodable_identity() -> None:
    """A plugin's command gets core's argument check too: exit 2 and one line, no
    traceback, for what undecodable bytes in argv become (a lone surrogate)."""
    from flask_security.testing.app import create_app

    app = create_app({"SECURITY_CONFIRMABLE": True})
    r = app.test_cli_runner().invoke(args=["users", "confirm", "\udcff@example.com"])
    assert r.exit_code == 2 and r.output.startswith("Error:") and "undecodable" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
