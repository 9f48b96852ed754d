"""Fixtures for fsec-recoverable's tests (the ready-made SQLAlchemy test app)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_security.hookspecs import hookimpl
from fsec_store_sqlalchemy.testing import add_user, create_app

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


class HookSpy:
    """A plugin registered at run time that records lifecycle hook calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, str]] = []
        self.refuse: str | None = None

    @hookimpl
    def fsec_password_changed(self, user: Any, reason: str) -> None:
        self.calls.append(("password_changed", user.email, reason))

    @hookimpl
    def fsec_after_login(self, user: Any, method: str) -> None:
        self.calls.append(("after_login", user.email, method))

    @hookimpl
    def fsec_login_allowed(self, user: Any, method: str) -> str | None:
        if self.refuse and method == "reset":
            return self.refuse
        return None


@pytest.fixture
def spy(app: Flask) -> HookSpy:
    hook_spy = HookSpy()
    app.extensions["security"].plugins.pm.register(hook_spy, name="spy")
    return hook_spy
