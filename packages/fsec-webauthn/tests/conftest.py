"""Fixtures of fsec-webauthn's tests: an app on Flask-SQLAlchemy with passkeys on,
a signed-in client, and a software authenticator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import add_user, create_app, login
from fsec_webauthn.testing import JsonFlow as Flow
from fsec_webauthn.testing import SoftAuthenticator

BASE = {"SECURITY_WEBAUTHN": True}


@pytest.fixture
def make_app() -> Callable[..., Flask]:
    def make(config: dict[str, Any] | None = None) -> Flask:
        return create_app({**BASE, **(config or {})})

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    add_user(app, "matt@example.com")
    add_user(app, "joe@example.com")
    return app


@pytest.fixture
def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator(origin="http://localhost")


@pytest.fixture
def flow(app: Flask, authenticator: SoftAuthenticator) -> Flow:
    client = app.test_client()
    assert login(client, "matt@example.com").status_code == 200
    return Flow(client, authenticator)
