"""Mail delivery against real failing SMTP servers: refused, 554, hanging.

``MAIL_TIMEOUT`` bounds every SMTP step; in ``background`` delivery the response is
complete before SMTP starts, and a mail that finally fails is logged with its kind and
the user's id. (The same against gunicorn: tests/test_mail_outage_live.py.)
"""

from __future__ import annotations

import logging
import smtplib
import time
from typing import Any

import pytest
from flask_mail import Message
from flask_security import mail as fsec_mail
from flask_security.testing.app import add_user, login
from flask_security.testing.smtp import refused_port

NEW = {
    "password": "password",
    "new_password": "new-password",
    "new_password_confirm": "new-password",
}


def smtp_config(host: str, port: int, **extra: Any) -> dict[str, Any]:
    return {
        "SECURITY_CHANGEABLE": True,
        "MAIL_SERVER": host,
        "MAIL_PORT": port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT": 1,
        **extra,
    }


@pytest.fixture
def hanging(fsec_hanging_smtp):
    return fsec_hanging_smtp


def wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def failures(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "could not deliver" in r.getMessage()]


def message() -> Message:
    msg = Message("S", sender="site@example.com", recipients=["a@example.com"], body="b")
    msg.fsec_kind, msg.fsec_user_id = "change_notice", "7"
    return msg


# -- send_message: every SMTP step bounded -----------------------------------------


def test_send_message_to_a_hanging_server_gives_up_after_mail_timeout(make_app, hanging):
    app = make_app(smtp_config(hanging.host, hanging.port))
    with app.app_context():
        start = time.monotonic()
        with pytest.raises((OSError, smtplib.SMTPException)):
            fsec_mail.send_message(message())
        elapsed = time.monotonic() - start
    assert hanging.accepted == 1
    # MAIL_TIMEOUT is 1 s: Flask-Mail alone would wait forever (no timeout).
    assert elapsed < 5


def test_send_message_refused_and_554(make_app, fsec_smtp):
    app = make_app(smtp_config("127.0.0.1", refused_port()))
    with app.app_context(), pytest.raises(ConnectionRefusedError):
        fsec_mail.send_message(message())
    app = make_app(smtp_config(fsec_smtp.host, fsec_smtp.port))
    fsec_smtp.reject = 1
    with app.app_context(), pytest.raises(smtplib.SMTPDataError) as info:
        fsec_mail.send_message(message())
    assert info.value.smtp_code == 554 and fsec_smtp.messages == []
    with app.app_context():
        fsec_mail.send_message(message())
    assert len(fsec_smtp.messages) == 1


# -- inline delivery (testing default): failures logged, request answered ----------


@pytest.mark.parametrize("fault", ["refused", "554", "hang"])
def test_inline_failure_is_logged_and_the_request_succeeds(
    make_app, fsec_smtp, hanging, caplog, fault
):
    host, port = fsec_smtp.host, fsec_smtp.port
    if fault == "refused":
        port = refused_port()
    elif fault == "hang":
        host, port = hanging.host, hanging.port
    else:
        fsec_smtp.reject = 10
    app = make_app(smtp_config(host, port))
    user_id = add_user(app, "a@example.com")
    client = app.test_client()
    login(client, "a@example.com")
    assert client.post("/change", json=NEW).status_code == 200
    assert login(app.test_client(), "a@example.com", "new-password").status_code == 200
    assert fsec_smtp.messages == []
    assert any("change_notice" in r.getMessage() for r in caplog.records if r.levelno >= 40)
    del user_id


# -- background delivery: after the response, bounded, logged ----------------------


def background_app(make_app, host, port, **extra):
    app = make_app(smtp_config(host, port, SECURITY_MAIL_DELIVERY="background", **extra))
    user_id = add_user(app, "a@example.com")
    client = app.test_client()
    login(client, "a@example.com")
    return app, client, user_id


def change(client) -> Any:
    # buffered=True: the test client closes the response like a WSGI server does.
    return client.post("/change", json=NEW, buffered=True)


def test_background_mail_is_sent_after_the_response(make_app, fsec_smtp):
    _app, client, _ = background_app(make_app, fsec_smtp.host, fsec_smtp.port)
    sent_before_close = []

    from flask_mail import email_dispatched

    def record(sender, message):
        sent_before_close.append(message)

    with email_dispatched.connected_to(record):
        response = client.post("/change", json=NEW)  # not closed yet
        assert response.status_code == 200
        time.sleep(0.3)
        assert sent_before_close == [] and fsec_smtp.messages == []
        response.close()
        assert wait_for(lambda: len(fsec_smtp.messages) == 1)
    (msg,) = fsec_smtp.messages
    assert msg["To"] == "a@example.com"
    assert msg["Subject"] == "Your password has been changed"
    # Rendered after the response, on a mail thread, with the user loaded again.
    assert "a@example.com" in fsec_smtp.text_of(msg)


@pytest.mark.parametrize("fault", ["refused", "554", "hang"])
def test_background_failure_costs_the_request_nothing_and_is_logged(
    make_app, fsec_smtp, hanging, caplog, fault
):
    host, port = fsec_smtp.host, fsec_smtp.port
    if fault == "refused":
        port = refused_port()
    elif fault == "hang":
        host, port = hanging.host, hanging.port
    else:
        fsec_smtp.reject = 10
    _app, client, user_id = background_app(make_app, host, port)
    caplog.set_level(logging.ERROR)
    start = time.monotonic()
    response = change(client)
    elapsed = time.monotonic() - start
    assert response.status_code == 200
    assert wait_for(lambda: failures(caplog))
    (record,) = failures(caplog)
    text = record.getMessage()
    assert "'change_notice'" in text and f"user {user_id}" in text
    if fault == "hang":
        # The answer did not wait for the 1 s MAIL_TIMEOUT; the mail thread did.
        assert hanging.accepted == 1
        assert elapsed < 1.0
    assert fsec_smtp.messages == []


def test_background_backlog_is_bounded_and_overflow_logged(make_app, hanging, caplog, monkeypatch):
    monkeypatch.setattr(fsec_mail, "BACKGROUND_BACKLOG", 3)
    monkeypatch.setattr(fsec_mail, "BACKGROUND_THREADS", 1)
    app = make_app(smtp_config(hanging.host, hanging.port, SECURITY_MAIL_DELIVERY="background"))
    caplog.set_level(logging.ERROR)
    sender = fsec_mail.background_sender(app)
    results = [sender.submit(message()) for _ in range(5)]
    assert results == [True, True, True, False, False]
    overflow = [r for r in failures(caplog) if "already wait" in r.getMessage()]
    assert len(overflow) == 2
    assert "'change_notice'" in overflow[0].getMessage()


def test_background_hands_messages_to_send_mail_task_after_the_response(make_app, fsec_smtp):
    app, client, _ = background_app(make_app, fsec_smtp.host, fsec_smtp.port)
    seen = []

    @app.extensions["security"].send_mail_task
    def task(msg):
        from flask import current_app, has_request_context

        seen.append((msg.fsec_kind, current_app.name, has_request_context()))

    response = client.post("/change", json=NEW)
    time.sleep(0.2)
    assert seen == []
    response.close()
    assert wait_for(lambda: seen)
    assert seen == [("change_notice", app.name, False)]
    assert fsec_smtp.messages == []


def test_send_mail_task_failure_is_logged(make_app, fsec_smtp, caplog):
    app, client, user_id = background_app(make_app, fsec_smtp.host, fsec_smtp.port)

    @app.extensions["security"].send_mail_task
    def task(msg):
        raise ConnectionError("broker down")

    caplog.set_level(logging.ERROR)
    assert change(client).status_code == 200
    assert wait_for(lambda: failures(caplog))
    (record,) = failures(caplog)
    assert "broker down" in record.getMessage() and f"user {user_id}" in record.getMessage()


def test_message_dict_round_trip(make_app):
    app = make_app()
    with app.app_context():
        msg = message()
        msg.html = "<p>b</p>"
        data = fsec_mail.message_to_dict(msg)
        import json

        back = fsec_mail.message_from_dict(json.loads(json.dumps(data)))
    assert (back.subject, back.sender, back.recipients, back.body, back.html) == (
        "S",
        "site@example.com",
        ["a@example.com"],
        "b",
        "<p>b</p>",
    )
    assert (back.fsec_kind, back.fsec_user_id) == ("change_notice", "7")


def test_bad_mail_delivery_setting_stops_start_up(make_app):
    with pytest.raises(ValueError, match="SECURITY_MAIL_DELIVERY"):
        make_app({"SECURITY_MAIL_DELIVERY": "later"})


def test_delivery_defaults(make_app):
    assert fsec_mail.delivery_mode(make_app().extensions["security"]) == "inline"
    app = make_app({"TESTING": False, "SECURITY_MAIL_DELIVERY": None})
    assert fsec_mail.delivery_mode(app.extensions["security"]) == "background"
