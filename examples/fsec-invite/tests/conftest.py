"""Fixtures for fsec-invite's tests: fsec-store-sqlalchemy's ready-made test app with
the plugin switched on (``SECURITY_PLUGINS = ["invite"]``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import add_user, create_app

BASE: dict[str, Any] = {"SECURITY_PLUGINS": ["invite"]}


@pytest.fixture
def make_app() -> Callable[..., Flask]:
    """``make_app(config=None)``: a new app on SQLite in memory with invite on."""

    def make(config: dict[str, Any] | None = None, **kwargs: Any) -> Flask:
        return create_app({**BASE, **(config or {})}, **kwargs)

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    application = make_app()
    add_user(application, "admin@example.com", roles=("admin",))
    add_user(application, "joe@example.com")
    return application


@pytest.fixture
def outbox(app: Flask) -> Iterator[list[Any]]:
    """The mails the app sends (Flask-Mail's recorder; sending is suppressed)."""
    with app.extensions["mail"].record_messages() as messages:
        yield messages


@pytest.fixture
def link_in() -> Callable[[Any], str]:
    """``link_in(message)``: the invitation link's path in a recorded mail."""

    def find(message: Any) -> str:
        match = re.search(r"http://localhost(/invite/[\w.\-]+)", message.body)
        assert match, message.body
        assert match.group(0) in message.html
        return match.group(1)

    return find
