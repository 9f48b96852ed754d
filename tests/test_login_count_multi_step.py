"""A sign-in that takes two steps is one login for fsec-trackable, whatever its first
factor: a password, or a passwordless link (whose use is recorded atomically when
the link is consumed, one request before the second factor completes the login)."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from flask import Flask
from flask_security.signals import login_instructions_sent
from flask_security.testing.app import User, add_user, create_app, db

TWO_FACTOR = {
    "SECURITY_TWO_FACTOR": True,
    "SECURITY_TOTP_SECRETS": {"1": "fsec-test-totp-secret-one-with-enough-entropy-123"},
    "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
    "SECURITY_TRACKABLE": True,
}


def _count(app: Flask, email: str) -> int:
    with app.app_context():
        db.session.expire_all()
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        return int(user.login_count or 0)


def _with_authenticator(app: Flask, email: str) -> pyotp.TOTP:
    """Give ``email`` an authenticator secret as /tf-setup stores it."""
    from fsec_two_factor import totp

    with app.test_request_context():
        otp, stored = totp.new_secret()
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        user.tf_totp_secret = stored
        user.tf_primary_method = "authenticator"
        db.session.commit()
    return pyotp.TOTP(otp.base32_key)


def _second_factor(client: Any, otp: pyotp.TOTP) -> None:
    r = client.post("/tf-validate", json={"code": otp.now()})
    assert r.status_code == 200, r.get_json()
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 200


@pytest.mark.parametrize("first_factor", ["password", "passwordless link"])
def test_a_two_step_login_counts_once(first_factor: str) -> None:
    passwordless = first_factor == "passwordless link"
    app = create_app({**TWO_FACTOR, "SECURITY_PASSWORDLESS": passwordless})
    add_user(app, "alice@example.com")
    otp = _with_authenticator(app, "alice@example.com")
    before = _count(app, "alice@example.com")
    client = app.test_client()
    if passwordless:
        tokens: list[str] = []
        login_instructions_sent.connect(
            lambda sender, **kw: tokens.append(kw["login_token"]), app, weak=False
        )
        assert client.post("/login", json={"email": "alice@example.com"}).status_code == 200
        r = client.get(f"/login/{tokens[-1]}", headers={"Accept": "application/json"})
    else:
        r = client.post("/login", json={"email": "alice@example.com", "password": "password"})
    assert r.get_json()["response"]["tf_required"] is True
    # the first factor alone signs nobody in
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401
    _second_factor(client, otp)
    assert _count(app, "alice@example.com") == before + 1
