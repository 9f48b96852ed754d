"""Mail: send_mail, plain/HTML switches, send_mail_task, context processors, real SMTP."""

from __future__ import annotations

from flask_security.testing.app import add_user, login
from flask_security.utils import send_mail

NEW = {
    "password": "password",
    "new_password": "new-password",
    "new_password_confirm": "new-password",
}


def test_send_mail_renders_both_parts(app):
    with app.test_request_context(), app.extensions["mail"].record_messages() as outbox:
        user = app.extensions["security"].datastore.find_user(email="matt@example.com")
        send_mail("Subject", "matt@example.com", "change_notice", user=user)
    (msg,) = outbox
    assert msg.subject == "Subject"
    assert msg.sender == "no-reply@localhost"
    assert "matt@example.com" in msg.body and "matt@example.com" in msg.html


def test_sender_settings(make_app):
    app = make_app({"MAIL_DEFAULT_SENDER": "site@example.com"})
    add_user(app, "a@example.com")
    with app.test_request_context(), app.extensions["mail"].record_messages() as outbox:
        user = app.extensions["security"].datastore.find_user(email="a@example.com")
        send_mail("S", "a@example.com", "change_notice", user=user)
    assert outbox[0].sender == "site@example.com"
    app = make_app({"SECURITY_EMAIL_SENDER": "security@example.com"})
    add_user(app, "a@example.com")
    with app.test_request_context(), app.extensions["mail"].record_messages() as outbox:
        user = app.extensions["security"].datastore.find_user(email="a@example.com")
        send_mail("S", "a@example.com", "change_notice", user=user)
    assert outbox[0].sender == "security@example.com"


def test_plaintext_and_html_switches(make_app):
    for plain, html in ((True, False), (False, True)):
        app = make_app({"SECURITY_EMAIL_PLAINTEXT": plain, "SECURITY_EMAIL_HTML": html})
        add_user(app, "a@example.com")
        with app.test_request_context(), app.extensions["mail"].record_messages() as outbox:
            user = app.extensions["security"].datastore.find_user(email="a@example.com")
            send_mail("S", "a@example.com", "change_notice", user=user)
        assert bool(outbox[0].body) is plain
        assert bool(outbox[0].html) is html


def test_send_mail_task_and_mail_context_processor(make_app, tmp_path):
    app = make_app({"SECURITY_CHANGEABLE": True})
    add_user(app, "a@example.com")
    state = app.extensions["security"]
    sent = []
    state.send_mail_task(sent.append)
    seen = []

    @state.mail_context_processor
    def extra():
        seen.append(True)
        return {"site_name": "Example"}

    client = app.test_client()
    login(client, "a@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        assert client.post("/change", json=NEW).status_code == 200
    assert outbox == []  # the task got it instead of Flask-Mail
    assert len(sent) == 1 and sent[0].recipients == ["a@example.com"]
    assert seen == [True]


def test_custom_send_mail_override(make_app):
    app = make_app({"SECURITY_CHANGEABLE": True})
    add_user(app, "a@example.com")
    calls = []
    app.extensions["security"].send_mail = lambda subject, recipient, template, **ctx: calls.append(
        (subject, recipient, template, sorted(ctx))
    )
    client = app.test_client()
    login(client, "a@example.com")
    client.post("/change", json=NEW)
    assert calls == [("Your password has been changed", "a@example.com", "change_notice", ["user"])]


def test_app_template_overrides_mail(make_app, tmp_path):
    app = make_app({"SECURITY_CHANGEABLE": True})
    folder = tmp_path / "security" / "email"
    folder.mkdir(parents=True)
    (folder / "change_notice.txt").write_text("custom text for {{ user.email }}")
    (folder / "change_notice.html").write_text("<b>custom</b>")
    from jinja2 import ChoiceLoader, FileSystemLoader

    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(tmp_path))])
    app.jinja_env.loader = app.create_global_jinja_loader()
    add_user(app, "a@example.com")
    client = app.test_client()
    login(client, "a@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        client.post("/change", json=NEW)
    assert outbox[0].body == "custom text for a@example.com"


def test_change_notice_through_real_smtp(make_app, fsec_smtp):
    app = make_app(
        {
            "SECURITY_CHANGEABLE": True,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_SERVER": fsec_smtp.host,
            "MAIL_PORT": fsec_smtp.port,
            "MAIL_DEFAULT_SENDER": "site@example.com",
        }
    )
    add_user(app, "real@example.com")
    client = app.test_client()
    login(client, "real@example.com")
    assert client.post("/change", json=NEW).status_code == 200
    (msg,) = fsec_smtp.messages
    assert msg["To"] == "real@example.com"
    assert msg["From"] == "site@example.com"
    assert msg["Subject"] == "Your password has been changed"
    assert "Your password has been changed." in fsec_smtp.text_of(msg)
    assert "<p>" in fsec_smtp.html_of(msg)
