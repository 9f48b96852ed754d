"""Fixtures for fsec-passwordless's tests (the ready-made SQLAlchemy test app).

Passwordless needs a plugin recording logins (``fsec_login_state``), so every app
here has ``SECURITY_TRACKABLE`` on unless a test says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import add_user, create_app
from flask_security.testing.spy import HookSpy
from flask_security.utils import capture_passwordless_login_requests

BASE = {"SECURITY_PASSWORDLESS": True, "SECURITY_TRACKABLE": True}


@pytest.fixture
def make_app() -> Callable[..., Flask]:
    def make(config: dict[str, Any] | None = None, **kwargs: Any) -> Flask:
        return create_app({**BASE, **(config or {})}, **kwargs)

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    application = make_app()
    add_user(application, "alice@example.com", "password")
    return application


@pytest.fixture
def outbox(app: Flask) -> Iterator[list[Any]]:
    with app.extensions["mail"].record_messages() as messages:
        yield messages


def _request_token(app: Flask, email: str = "alice@example.com") -> str:
    with capture_passwordless_login_requests() as requests:
        response = app.test_client().post("/login", json={"email": email})
    assert response.status_code == 200
    assert len(requests) == 1, "no login link was sent"
    return str(requests[0]["login_token"])


@pytest.fixture
def request_token() -> Callable[..., str]:
    """``request_token(app, email)``: ask for a link (JSON) and return its token."""
    return _request_token


def _login_path_in(message: Any) -> str:
    match = re.search(r"http://localhost(/login/[\w.\-]+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def link_in() -> Callable[[Any], str]:
    """``link_in(message)``: the login link's path in a recorded mail."""
    return _login_path_in


@pytest.fixture
def spy(app: Flask) -> HookSpy:
    """A :class:`~flask_security.testing.spy.HookSpy` on ``app`` refusing ``passwordless``."""
    return HookSpy.attach(app, refuse_method="passwordless")
