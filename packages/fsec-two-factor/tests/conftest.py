"""Fixtures for fsec-two-factor's tests (the ready-made SQLAlchemy test app, whose
user model has upstream's two-factor fields)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask_security.testing.app import add_user, create_app

TOTP_SECRETS = {"1": "fsec-test-totp-secret-one-with-enough-entropy-123"}

BASE: dict[str, Any] = {
    "SECURITY_TWO_FACTOR": True,
    "SECURITY_TOTP_SECRETS": TOTP_SECRETS,
    "SECURITY_TOTP_ISSUER": "fsec tests",
    "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator", "email"],
    "SECURITY_MULTI_FACTOR_RECOVERY_CODES": True,
    "SECURITY_CHANGEABLE": True,
}


@pytest.fixture
def make_app() -> Callable[..., Flask]:
    def make(config: dict[str, Any] | None = None, **kwargs: Any) -> Flask:
        return create_app({**BASE, **(config or {})}, **kwargs)

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    application = make_app()
    add_user(application, "alice@example.com", "password")
    add_user(application, "bob@example.com", "password")
    return application


def login(client: Any, email: str = "alice@example.com", password: str = "password") -> Any:
    return client.post("/login", json={"email": email, "password": password})


def setup_authenticator(client: Any, email: str = "alice@example.com") -> pyotp.TOTP:
    """Sign in (no second factor yet), set the authenticator up with a code computed
    by pyotp from the secret the setup step returns, sign out. Returns the pyotp TOTP."""
    assert login(client, email).status_code == 200
    r = client.post("/tf-setup", json={"setup": "authenticator"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()["response"]
    otp = pyotp.TOTP(body["tf_authr_b32key"])
    r = client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": otp.now()})
    assert r.status_code == 200, r.get_json()
    client.post("/logout", json={})
    return otp


def code_at(otp: pyotp.TOTP, offset_steps: int) -> str:
    """The code ``offset_steps`` time steps away from now."""
    import time

    return otp.at(time.time() + offset_steps * otp.interval)


def code_in(text: str) -> str:
    match = re.search(r"\b(\d{6})\b", text)
    assert match, text
    return match.group(1)


def stored_user(app: Flask, email: str = "alice@example.com") -> Any:
    with app.app_context():
        from flask_security.testing.app import User, db

        db.session.expire_all()
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        db.session.expunge(user)
        return user


@pytest.fixture
def tf() -> Any:
    """The helpers above (test modules cannot import conftest in importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        login=login,
        setup_authenticator=setup_authenticator,
        code_at=code_at,
        code_in=code_in,
        stored_user=stored_user,
        add_user=add_user,
    )
