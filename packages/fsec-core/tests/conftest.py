"""Fixtures for fsec-core's tests: apps built on the SQLAlchemy test store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import add_user, create_app


@pytest.fixture
def make_app() -> Callable[..., Flask]:
    """``make_app(config=None, **security_kwargs)`` -> a fresh app."""

    def factory(config: dict[str, Any] | None = None, **security_kwargs: Any) -> Flask:
        return create_app(config, security_kwargs=security_kwargs)

    return factory


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app({"SECURITY_CHANGEABLE": True})
    add_user(app, "matt@example.com", "password", roles=("admin",))
    add_user(app, "joe@example.com", "password", roles=("editor",))
    add_user(app, "off@example.com", "password", active=False)
    return app


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()
