"""The email method and the rescue options, with codes read from mails received by a
real SMTP server (aiosmtpd, ``fsec_smtp``)."""

from __future__ import annotations

import pytest
from flask_security.login_steps import PENDING_SESSION_KEY


@pytest.fixture
def smtp_app(make_app, fsec_smtp, tf):
    app = make_app(
        {
            "MAIL_SERVER": fsec_smtp.host,
            "MAIL_PORT": fsec_smtp.port,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "accounts@example.org",
            "SECURITY_TWO_FACTOR_RESCUE_MAIL": "admins@example.org",
        }
    )
    tf.add_user(app, "alice@example.com")
    return app


def _setup_email(app, smtp, tf):
    client = app.test_client()
    tf.login(client)
    r = client.post("/tf-setup", json={"setup": "email"})
    assert r.status_code == 200
    body = r.get_json()["response"]
    assert body["tf_method"] == "email" and "tf_authr_uri" not in body
    mail = smtp.messages[-1]
    assert mail["To"] == "alice@example.com" and mail["Subject"] == "Two-Factor Login"
    code = tf.code_in(smtp.text_of(mail))
    assert code in smtp.html_of(mail)
    r = client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": code})
    assert r.status_code == 200
    client.post("/logout", json={})


def test_email_code_logs_in_once(smtp_app, fsec_smtp, tf, monkeypatch):
    import time

    from fsec_two_factor import totp
    from fsec_two_factor.signals import tf_security_token_sent

    sent = []
    tf_security_token_sent.connect(
        lambda sender, **kw: sent.append((kw["user"].email, kw["method"], kw["login_token"])),
        smtp_app,
        weak=False,
    )
    _setup_email(smtp_app, fsec_smtp, tf)
    # Ten minutes later: the setup's code step (5 minutes) is over.
    later = time.time() + 600
    monkeypatch.setattr(totp, "_now", lambda: later)
    client = smtp_app.test_client()
    before = len(fsec_smtp.messages)
    r = tf.login(client)
    body = r.get_json()["response"]
    assert body["tf_required"] is True and body["tf_method"] == "email"
    assert len(fsec_smtp.messages) == before + 1
    code = tf.code_in(fsec_smtp.text_of(fsec_smtp.messages[-1]))
    assert sent[-1] == ("alice@example.com", "email", code)
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401
    r = client.post("/tf-validate", json={"code": code})
    assert r.status_code == 200
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 200
    # Single use: the same code in another login is refused.
    other = smtp_app.test_client()
    tf.login(other)
    assert other.post("/tf-validate", json={"code": code}).status_code == 400


def test_each_sign_in_within_one_mail_step_gets_a_code_that_works(
    smtp_app, fsec_smtp, tf, monkeypatch
):
    """Setup and three sign-ins inside one 5-minute step: each mail carries a new
    code (bound to the secret's generation, which every use bumps), each works once,
    and no spent code works again. (A code of the time step alone would be the
    spent setup code, refused for up to five minutes.)"""
    import time

    from fsec_two_factor import totp

    step_start = (int(time.time()) // 300 + 1) * 300
    monkeypatch.setattr(totp, "_now", lambda: step_start + 10)
    _setup_email(smtp_app, fsec_smtp, tf)
    spent = [tf.code_in(fsec_smtp.text_of(fsec_smtp.messages[-1]))]
    for minute in (1, 2, 3):
        monkeypatch.setattr(totp, "_now", lambda m=minute: step_start + 10 + 60 * m)
        client = smtp_app.test_client()
        before = len(fsec_smtp.messages)
        tf.login(client)
        assert len(fsec_smtp.messages) == before + 1
        code = tf.code_in(fsec_smtp.text_of(fsec_smtp.messages[-1]))
        assert code not in spent
        for old in spent:
            assert client.post("/tf-validate", json={"code": old}).status_code == 400
        assert client.post("/tf-validate", json={"code": code}).status_code == 200
        assert client.get("/", headers={"Accept": "application/json"}).status_code == 200
        spent.append(code)


def test_email_code_used_by_setup_is_spent(smtp_app, fsec_smtp, tf):
    _setup_email(smtp_app, fsec_smtp, tf)
    setup_code = tf.code_in(fsec_smtp.text_of(fsec_smtp.messages[-1]))
    client = smtp_app.test_client()
    tf.login(client)
    assert client.post("/tf-validate", json={"code": setup_code}).status_code == 400


def test_email_code_expires(smtp_app, fsec_smtp, tf, monkeypatch):
    import time

    from fsec_two_factor import totp

    _setup_email(smtp_app, fsec_smtp, tf)
    sent_at = time.time() + 600  # after the setup code's step
    monkeypatch.setattr(totp, "_now", lambda: sent_at)
    client = smtp_app.test_client()
    tf.login(client)
    code = tf.code_in(fsec_smtp.text_of(fsec_smtp.messages[-1]))
    # More than two mail periods (2 x 300 s) later: refused.
    monkeypatch.setattr(totp, "_now", lambda: sent_at + 2 * 300 + 1)
    assert client.post("/tf-validate", json={"code": code}).status_code == 400
    # One minute after it was sent it works (so the refusal above was its age).
    monkeypatch.setattr(totp, "_now", lambda: sent_at + 60)
    assert client.post("/tf-validate", json={"code": code}).status_code == 200


def test_rescue_by_email_for_an_authenticator_user(smtp_app, fsec_smtp, tf):
    tf.setup_authenticator(smtp_app.test_client())
    client = smtp_app.test_client()
    tf.login(client)
    before = len(fsec_smtp.messages)
    r = client.get("/tf-rescue", headers={"Accept": "application/json"})
    assert set(r.get_json()["response"]["recovery_options"]) == {"email", "recovery_code", "help"}
    r = client.post("/tf-rescue", json={"help_setup": "email"})
    assert r.status_code == 200
    assert len(fsec_smtp.messages) == before + 1
    code = tf.code_in(fsec_smtp.text_of(fsec_smtp.messages[-1]))
    r = client.post("/tf-validate", json={"code": code})
    assert r.status_code == 200 and r.get_json()["response"]["user"]


def test_rescue_help_mails_the_administrators(smtp_app, fsec_smtp, tf):
    tf.setup_authenticator(smtp_app.test_client())
    client = smtp_app.test_client()
    tf.login(client)
    r = client.post("/tf-rescue", json={"help_setup": "help"})
    assert r.status_code == 200
    mail = fsec_smtp.messages[-1]
    assert mail["To"] == "admins@example.org" and mail["Subject"] == "Two-Factor Rescue"
    assert "alice@example.com" in fsec_smtp.text_of(mail)
    with client.session_transaction() as sess:
        assert PENDING_SESSION_KEY in sess  # still pending: help is not a factor
    assert client.post("/tf-rescue", json={"help_setup": "nosuch"}).status_code == 400


def test_rescue_without_pending_login(smtp_app):
    r = smtp_app.test_client().post("/tf-rescue", json={"help_setup": "email"})
    assert r.status_code == 400


def test_sms_through_the_app_sender(make_app, tf):
    texts = []
    app = make_app(
        {
            "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator", "email", "sms"],
            "SECURITY_SMS_SENDER": lambda number, message: texts.append((number, message)),
        }
    )
    tf.add_user(app, "dan@example.com")
    client = app.test_client()
    tf.login(client, "dan@example.com")
    assert client.post("/tf-setup", json={"setup": "sms"}).status_code == 400  # no phone
    r = client.post("/tf-setup", json={"setup": "sms", "phone": "+1 650-555-1212"})
    assert r.status_code == 200
    assert texts[-1][0] == "+16505551212"
    token = r.get_json()["response"]["tf_state_token"]
    assert (
        client.post(f"/tf-setup/{token}", json={"code": tf.code_in(texts[-1][1])}).status_code
        == 200
    )
    assert tf.stored_user(app, "dan@example.com").tf_phone_number == "+16505551212"
