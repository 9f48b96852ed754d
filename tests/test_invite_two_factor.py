"""An accepted invitation is a first factor: with fsec-two-factor on, the invitee is
signed in only after the second factor, as after a password reset or a registration
(``begin_login``, ``flask_security.login_steps``).

Cross-package: the example plugin fsec-invite with fsec-two-factor (neither depends
on the other)."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask_security import current_datastore
from flask_security.login_steps import PENDING_SESSION_KEY
from flask_security.testing.app import create_app
from flask_security.utils import get_message, verify_password

JSON = {"Accept": "application/json"}
NEW = {"password": "chosen-secret-1", "password_confirm": "chosen-secret-1"}
TWO_FACTOR: dict[str, Any] = {
    "SECURITY_PLUGINS": ["invite"],
    "SECURITY_TWO_FACTOR": True,
    "SECURITY_TOTP_SECRETS": {"1": "fsec-test-totp-secret-one-with-enough-entropy-123"},
    "SECURITY_TOTP_ISSUER": "fsec tests",
    "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator", "email"],
}


@pytest.fixture
def app() -> Flask:
    return create_app(dict(TWO_FACTOR))


def _invite(app: Flask, email: str, authenticator: bool = True) -> tuple[str, pyotp.TOTP | None]:
    """Invite ``email``; with ``authenticator`` give the account an authenticator
    (as an administrator's tooling could before the invitee accepts). Returns the
    link's path and the authenticator (pyotp) or ``None``."""
    from fsec_invite import invite_user
    from fsec_two_factor import totp

    with app.extensions["mail"].record_messages() as outbox, app.app_context():
        user = invite_user(email)
        otp = None
        if authenticator:
            secret, stored = totp.new_secret()
            user.tf_primary_method = "authenticator"
            user.tf_totp_secret = stored
            current_datastore.put(user)
            current_datastore.commit()
            otp = pyotp.TOTP(secret.base32_key)
    (mail,) = outbox
    path = re.search(r"http://localhost(/invite/[\w.\-]+)", mail.body).group(1)
    return path, otp


def _session(client: Any) -> dict[str, Any]:
    with client.session_transaction() as sess:
        return dict(sess)


def _password_is(app: Flask, email: str, password: str) -> bool:
    with app.app_context():
        return verify_password(password, current_datastore.find_user(email=email).password)


def test_json_invitee_with_an_authenticator_signs_in_only_with_the_code(app):
    path, otp = _invite(app, "ann@example.com")
    client = app.test_client()
    r = client.post(path, json=NEW)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()["response"]
    assert body["tf_required"] is True and body["tf_state"] == "ready"
    assert body["tf_primary_method"] == "authenticator"
    assert "user" not in body and "csrf_token" in body
    assert "_user_id" not in _session(client)
    assert client.get("/", headers=JSON).status_code == 401  # not signed in yet
    assert _password_is(app, "ann@example.com", "chosen-secret-1")  # the link did its work
    assert client.post("/tf-validate", json={"code": "000000"}).status_code == 400
    assert client.get("/", headers=JSON).status_code == 401
    r = client.post("/tf-validate", json={"code": otp.now()})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["response"]["user"]["authentication_token"]
    assert client.get("/").get_data(as_text=True) == "Hello ann@example.com"
    assert PENDING_SESSION_KEY not in _session(client)
    # The link worked once: another use is refused and the password stays.
    again = app.test_client().post(path, json={**NEW, "password": "other-secret-2"})
    assert again.status_code == 400
    with app.test_request_context():
        assert again.get_json()["response"]["errors"]["token"] == [get_message("INVITE_INVALID")[0]]
    assert _password_is(app, "ann@example.com", "chosen-secret-1")


def test_form_invitee_with_an_authenticator_is_sent_to_the_code_page(app):
    path, otp = _invite(app, "bea@example.com")
    client = app.test_client()
    r = client.post(path, data=NEW)
    assert r.status_code == 302 and r.headers["Location"] == "/tf-validate"
    assert "_user_id" not in _session(client)
    assert client.get("/", headers=JSON).status_code == 401
    page = client.get("/tf-validate").get_data(as_text=True)
    assert 'name="code"' in page
    r = client.post("/tf-validate", data={"code": otp.now()})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/").get_data(as_text=True) == "Hello bea@example.com"
    again = app.test_client().post(path, data={**NEW, "password": "other-secret-2"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/login")
    assert _password_is(app, "bea@example.com", "chosen-secret-1")


def test_two_factor_required_makes_the_invitee_set_it_up_first():
    app = create_app({**TWO_FACTOR, "SECURITY_TWO_FACTOR_REQUIRED": True})
    path, _ = _invite(app, "cid@example.com", authenticator=False)
    client = app.test_client()
    r = client.post(path, json=NEW)
    assert r.status_code == 200
    body = r.get_json()["response"]
    assert body["tf_required"] is True and body["tf_state"] == "setup_from_login"
    assert client.get("/", headers=JSON).status_code == 401
    r = client.post("/tf-setup", json={"setup": "authenticator"})
    assert r.status_code == 200, r.get_json()
    proposal = r.get_json()["response"]
    otp = pyotp.TOTP(proposal["tf_authr_b32key"])
    r = client.post(f"/tf-setup/{proposal['tf_state_token']}", json={"code": otp.now()})
    assert r.status_code == 200, r.get_json()
    assert client.get("/").get_data(as_text=True) == "Hello cid@example.com"


def test_invitee_without_a_second_factor_is_signed_in_at_once(app):
    path, _ = _invite(app, "dan@example.com", authenticator=False)
    client = app.test_client()
    r = client.post(path, json=NEW)
    assert r.status_code == 200
    body = r.get_json()["response"]
    assert "tf_required" not in body and body["user"]["authentication_token"]
    assert client.get("/").get_data(as_text=True) == "Hello dan@example.com"
