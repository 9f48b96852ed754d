"""A Flask-SQLAlchemy app with the three lockout fields on its user model.

Written the way a plugin author would: on the installed fsec-core and
fsec-store-sqlalchemy, with a controllable clock (``SECURITY_DATETIME_FACTORY``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, jsonify
from flask_security import (
    RoleMixin,
    Security,
    SQLAlchemyUserDatastore,
    UserMixin,
    auth_token_required,
    current_user,
    http_auth_required,
    login_required,
)
from flask_security.utils import hash_password
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

roles_users = db.Table(
    "lockout_roles_users",
    db.Column("user_id", db.Integer(), db.ForeignKey("lockout_user.id")),
    db.Column("role_id", db.Integer(), db.ForeignKey("lockout_role.id")),
)


class Role(db.Model, RoleMixin):
    __tablename__ = "lockout_role"
    id = db.Column(db.Integer(), primary_key=True)
    name = db.Column(db.String(80), unique=True)
    description = db.Column(db.String(255))


class User(db.Model, UserMixin):
    __tablename__ = "lockout_user"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True)
    password = db.Column(db.String(255))
    active = db.Column(db.Boolean())
    failed_login_count = db.Column(db.Integer, default=0)
    first_failed_login_at = db.Column(db.DateTime())
    locked_until = db.Column(db.DateTime())
    roles = db.relationship("Role", secondary=roles_users, backref="users")


class PlainUser(db.Model, UserMixin):
    """A user model without the lockout fields (start-up check)."""

    __tablename__ = "lockout_plain_user"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True)
    password = db.Column(db.String(255))
    active = db.Column(db.Boolean())
    failed_login_count = db.Column(db.Integer, default=0)


class Clock:
    """A settable ``SECURITY_DATETIME_FACTORY`` (naive UTC, like the default)."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2026, 1, 1, 12, 0, 0)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


BASE_CONFIG: dict[str, Any] = {
    "SECRET_KEY": "lockout-test-secret",
    "TESTING": True,
    "SECURITY_PASSWORD_SALT": "lockout-test-salt",
    "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "WTF_CSRF_ENABLED": False,
    "MAIL_SUPPRESS_SEND": True,
    "MAIL_DEFAULT_SENDER": "site@example.com",
    "SERVER_NAME": "localhost",
}


def build_app(config: dict[str, Any] | None = None, user_model: type = User) -> Flask:
    """A fresh app: fsec on SQLite in memory, routes for every authentication path."""
    app = Flask("fsec_lockout_test_app")
    app.config.update(BASE_CONFIG)
    app.config.update(config or {})
    db.init_app(app)
    Security(app, SQLAlchemyUserDatastore(db, user_model, Role))

    @app.route("/")
    @login_required
    def index() -> Any:
        return f"Hello {current_user.email}"

    @app.route("/token")
    @auth_token_required
    def token() -> Any:
        return jsonify(email=current_user.email)

    @app.route("/basic")
    @http_auth_required
    def basic() -> Any:
        return jsonify(email=current_user.email)

    with app.app_context():
        db.create_all()
    return app


def add_user(app: Flask, email: str, password: str = "password", **fields: Any) -> int:
    """Create and commit an active user; returns its id."""
    with app.app_context():
        datastore = app.extensions["security"].datastore
        fields.setdefault("active", True)
        user = datastore.create_user(email=email, password=hash_password(password), **fields)
        datastore.commit()
        return int(user.id)


def get_user(app: Flask, email: str) -> Any:
    """The user row as stored now (a fresh query, detached from the session)."""
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        db.session.expunge(user)
        return user


@pytest.fixture(name="build_app")
def build_app_fixture() -> Callable[..., Flask]:
    """:func:`build_app` (test modules cannot import conftest in importlib mode)."""
    return build_app


@pytest.fixture(name="add_user")
def add_user_fixture() -> Callable[..., int]:
    """:func:`add_user`."""
    return add_user


@pytest.fixture(name="get_user")
def get_user_fixture() -> Callable[[Flask, str], Any]:
    """:func:`get_user`."""
    return get_user


@pytest.fixture
def plain_user_model() -> type:
    """A user model lacking two of the lockout fields."""
    return PlainUser


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_app(clock: Clock) -> Callable[..., Flask]:
    """``make_app(config)`` with lockout on (3 attempts, 10-minute window, 30-minute lock)."""

    def factory(config: dict[str, Any] | None = None, **kwargs: Any) -> Flask:
        merged = {
            "SECURITY_PLUGINS": ["lockout"],
            "SECURITY_LOCKOUT_MAX_ATTEMPTS": 3,
            "SECURITY_LOCKOUT_WINDOW": "10 minutes",
            "SECURITY_LOCKOUT_DURATION": "30 minutes",
            "SECURITY_DATETIME_FACTORY": clock,
        }
        merged.update(config or {})
        return build_app(merged, **kwargs)

    return factory


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    add_user(app, "alice@example.com")
    add_user(app, "bob@example.com")
    return app


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()
