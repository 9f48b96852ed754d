"""Fixtures for fsec-recoverable's tests (the ready-made SQLAlchemy test app)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import add_user, create_app
from flask_security.testing.spy import HookSpy

BASE = {"SECURITY_RECOVERABLE": True}


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


def reset_path_in(message: Any) -> str:
    """The reset link's path found in a recorded Flask-Mail message's text part."""
    match = re.search(r"http://localhost(/reset/[\w.\-]+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def link_in() -> Callable[[Any], str]:
    """``link_in(message)``: the reset link's path in a recorded mail."""
    return reset_path_in


@pytest.fixture
def spy(app: Flask) -> HookSpy:
    """A :class:`~flask_security.testing.spy.HookSpy` on ``app`` refusing ``reset``."""
    return HookSpy.attach(app, refuse_method="reset")
