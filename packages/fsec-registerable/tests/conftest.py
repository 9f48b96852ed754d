"""Fixtures for fsec-registerable's tests: the SQLAlchemy test app with the feature on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_security.testing.app import User, create_app, db


@pytest.fixture
def make_registerable_app() -> Callable[..., Flask]:
    """``factory(config=None, security_kwargs=None)``: a test app, registerable on."""

    def factory(
        config: dict[str, Any] | None = None, security_kwargs: dict[str, Any] | None = None
    ) -> Flask:
        return create_app({"SECURITY_REGISTERABLE": True, **(config or {})}, security_kwargs)

    return factory


@pytest.fixture
def app(make_registerable_app: Callable[..., Flask]) -> Flask:
    return make_registerable_app()


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()


@pytest.fixture
def outbox(app: Flask) -> Iterator[list[Any]]:
    with app.extensions["mail"].record_messages() as messages:
        yield messages


def all_users(app: Flask) -> list[Any]:
    """Every user row, in id order (fresh from the database)."""
    with app.app_context():
        db.session.expire_all()
        return list(db.session.execute(sa.select(User).order_by(User.id)).scalars())


@pytest.fixture
def users() -> Callable[[Flask], list[Any]]:
    return all_users
