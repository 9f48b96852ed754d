"""The welcome mail, the user_registered signal and the fsec_user_registered hook."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_security import hookimpl, user_registered
from flask_security.utils import capture_registrations

PASSWORD = "correct-horse"


def register(client: Any, email: str = "new@example.com") -> Any:
    return client.post("/register", json={"email": email, "password": PASSWORD})


def test_welcome_mail_sent(app: Any, client: Any, outbox: list[Any]) -> None:
    assert register(client).status_code == 200
    assert len(outbox) == 1
    msg = outbox[0]
    assert msg.subject == "Welcome"
    assert msg.recipients == ["new@example.com"]
    assert msg.sender == "no-reply@localhost"
    assert "new@example.com" in msg.body
    assert "http://localhost/login" in msg.body  # absolute link
    assert 'href="http://localhost/login"' in msg.html
    # Without confirmable there is no confirmation link.
    assert "/confirm" not in msg.body


def test_welcome_mail_switched_off(make_registerable_app: Any) -> None:
    app = make_registerable_app({"SECURITY_SEND_REGISTER_EMAIL": False})
    with app.extensions["mail"].record_messages() as outbox:
        assert register(app.test_client()).status_code == 200
    assert outbox == []


def test_subject_sender_and_parts_configurable(make_registerable_app: Any) -> None:
    app = make_registerable_app(
        {
            "SECURITY_EMAIL_SUBJECT_REGISTER": "Hello and welcome",
            "SECURITY_EMAIL_SENDER": "accounts@example.org",
            "SECURITY_EMAIL_HTML": False,
        }
    )
    with app.extensions["mail"].record_messages() as outbox:
        register(app.test_client())
    (msg,) = outbox
    assert msg.subject == "Hello and welcome"
    assert msg.sender == "accounts@example.org"
    assert msg.body and msg.html is None

    app = make_registerable_app({"SECURITY_EMAIL_PLAINTEXT": False})
    with app.extensions["mail"].record_messages() as outbox:
        register(app.test_client())
    (msg,) = outbox
    assert msg.body is None and "<p>" in msg.html


def test_mail_context_processor_and_send_mail_task(app: Any, client: Any) -> None:
    state = app.extensions["security"]
    state.mail_context_processor(lambda: {"extra_value": "from the processor"})
    sent: list[Any] = []
    state.send_mail_task(sent.append)
    seen: dict[str, Any] = {}
    from flask import template_rendered

    def record(sender: Any, template: Any, context: Any, **extra: Any) -> None:
        if template.name == "security/email/welcome.txt":
            seen.update(context)

    template_rendered.connect(record, app)
    try:
        with app.extensions["mail"].record_messages() as outbox:
            register(client)
    finally:
        template_rendered.disconnect(record, app)
    assert outbox == []  # the task got the message instead of Flask-Mail
    (msg,) = sent
    assert msg.recipients == ["new@example.com"]
    assert seen["extra_value"] == "from the processor"
    assert seen["user"].email == "new@example.com"


def test_mail_failure_does_not_fail_registration(app: Any, client: Any, users: Any) -> None:
    def broken(message: Any) -> None:
        raise ConnectionRefusedError("mail server down")

    app.extensions["security"].send_mail_task(broken)
    r = register(client)
    assert r.status_code == 200
    assert [u.email for u in users(app)] == ["new@example.com"]


def test_user_registered_signal(app: Any, client: Any) -> None:
    received: list[tuple[Any, dict[str, Any]]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append((sender, kwargs))

    user_registered.connect(receiver, app)
    try:
        register(client)
    finally:
        user_registered.disconnect(receiver, app)
    ((sender, kwargs),) = received
    assert sender is app
    assert kwargs["user"].email == "new@example.com"
    assert kwargs["confirm_token"] is None


def test_capture_registrations(client: Any) -> None:
    with capture_registrations() as registrations:
        register(client, "one@example.com")
        register(client.application.test_client(), "two@example.com")
    assert [r["user"].email for r in registrations] == ["one@example.com", "two@example.com"]
    assert all(r["confirm_token"] is None for r in registrations)


def test_no_signal_or_mail_for_failed_registration(client: Any, outbox: list[Any]) -> None:
    with capture_registrations() as registrations:
        r = client.post("/register", json={"email": "bad", "password": PASSWORD})
    assert r.status_code == 400
    assert registrations == []
    assert outbox == []


class ExtraPlugin:
    """A third-party plugin adding values to the signal and mail."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, dict[str, Any]]] = []

    @hookimpl
    def fsec_user_registered(self, user: Any, data: Any) -> Any:
        self.calls.append((user, dict(data)))
        return {"confirm_token": "tok-123", "invite_code": "ABC", "user": "ignored"}


def test_fsec_user_registered_results_are_merged(app: Any, client: Any, outbox: list[Any]) -> None:
    plugin = ExtraPlugin()
    app.extensions["security"].plugins.pm.register(plugin, name="extra")
    seen: dict[str, Any] = {}
    from flask import template_rendered

    def record(sender: Any, template: Any, context: Any, **extra: Any) -> None:
        if template.name == "security/email/welcome.txt":
            seen.update(context)

    template_rendered.connect(record, app)
    try:
        with capture_registrations() as registrations:
            register(client)
    finally:
        template_rendered.disconnect(record, app)
    ((user, data),) = plugin.calls
    assert user.email == "new@example.com"
    assert data == {"email": "new@example.com"}  # no password handed to plugins
    (reg,) = registrations
    assert reg["confirm_token"] == "tok-123"
    assert reg["invite_code"] == "ABC"
    assert reg["user"] is user
    assert seen["invite_code"] == "ABC"
    assert seen["user"].email == "new@example.com"
    assert len(outbox) == 1


def test_welcome_mail_through_real_smtp_server(make_registerable_app: Any, fsec_smtp: Any) -> None:
    app = make_registerable_app(
        {
            "MAIL_SERVER": fsec_smtp.host,
            "MAIL_PORT": fsec_smtp.port,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "site@example.org",
        }
    )
    # Flask-Mail reads its settings when it is initialised, as the app did above.
    client = app.test_client()
    r = client.post(
        "/register",
        data={"email": "smtp@example.com", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert r.status_code == 302
    client.get("/logout")
    (message,) = fsec_smtp.messages
    assert message["To"] == "smtp@example.com"
    assert message["From"] == "site@example.org"
    assert message["Subject"] == "Welcome"
    assert "smtp@example.com" in fsec_smtp.html_of(message)
    (link,) = fsec_smtp.links(message)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("http", "localhost")
    # Follow the link from the mail, and sign in there with the new account.
    page = client.get(parts.path)
    assert page.status_code == 200
    assert 'name="login_user_form"' in page.get_data(as_text=True)
    r = client.post(parts.path, json={"email": "smtp@example.com", "password": PASSWORD})
    assert r.status_code == 200
    assert r.json["response"]["user"]["authentication_token"]
