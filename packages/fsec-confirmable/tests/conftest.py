"""Fixtures for fsec-confirmable's tests: the SQLAlchemy test app with confirmable
(and registerable, for the registration flows) on."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_security.testing.app import User, create_app, db


@pytest.fixture
def make_confirmable_app() -> Callable[..., Flask]:
    """``factory(config=None, security_kwargs=None)``: a test app with
    ``SECURITY_CONFIRMABLE`` and ``SECURITY_REGISTERABLE`` on."""

    def factory(
        config: dict[str, Any] | None = None, security_kwargs: dict[str, Any] | None = None
    ) -> Flask:
        base = {"SECURITY_CONFIRMABLE": True, "SECURITY_REGISTERABLE": True}
        return create_app({**base, **(config or {})}, security_kwargs)

    return factory


@pytest.fixture
def app(make_confirmable_app: Callable[..., Flask]) -> Flask:
    return make_confirmable_app()


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()


@pytest.fixture
def outbox(app: Flask) -> Iterator[list[Any]]:
    with app.extensions["mail"].record_messages() as messages:
        yield messages


def get_user(app: Flask, email: str) -> Any:
    """The user row for ``email``, fresh from the database (or ``None``)."""
    with app.app_context():
        db.session.expire_all()
        return db.session.execute(sa.select(User).filter_by(email=email)).scalar_one_or_none()


@pytest.fixture
def user_row() -> Callable[[Flask, str], Any]:
    return get_user


def confirm_path(message: Any) -> str:
    """The path of the single confirmation link in a Flask-Mail message's text part."""
    (link,) = re.findall(r"http://localhost(/confirm/[^\s]+)", message.body)
    return str(link)


@pytest.fixture
def link_in() -> Callable[[Any], str]:
    return confirm_path
