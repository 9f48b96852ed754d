"""The app the hostile-input fuzz test serves with gunicorn (``create_app(config)``).

One Flask-SQLAlchemy model carries the fields of every first-party feature and of the
``lockout`` example plugin, so a single app can switch all of them on: registerable,
confirmable, recoverable, changeable, trackable and lockout, or, with
``SECURITY_PASSWORDLESS`` in ``config``, passwordless login instead of the password
form. Routes: ``/`` (``login_required``), ``/admin`` (``roles_required``), ``/editor``
(``roles_accepted``), ``/token``, ``/basic`` and ``/api`` (``auth_required``).

Not a test module (no ``test_`` prefix): the fuzz test puts this directory on the
workers' ``PYTHONPATH``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from flask_security import (
    RoleMixin,
    Security,
    SQLAlchemyUserDatastore,
    UserMixin,
    auth_required,
    auth_token_required,
    current_user,
    http_auth_required,
    login_required,
    roles_accepted,
    roles_required,
)
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

roles_users = db.Table(
    "fuzz_roles_users",
    db.Column("user_id", db.Integer(), db.ForeignKey("fuzz_user.id")),
    db.Column("role_id", db.Integer(), db.ForeignKey("fuzz_role.id")),
)


class Role(db.Model, RoleMixin):  # type: ignore[name-defined,misc]
    __tablename__ = "fuzz_role"
    id = db.Column(db.Integer(), primary_key=True)
    name = db.Column(db.String(80), unique=True)
    description = db.Column(db.String(255))


class User(db.Model, UserMixin):  # type: ignore[name-defined,misc]
    __tablename__ = "fuzz_user"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True)
    password = db.Column(db.String(255))
    active = db.Column(db.Boolean())
    confirmed_at = db.Column(db.DateTime())
    last_login_at = db.Column(db.DateTime())
    current_login_at = db.Column(db.DateTime())
    last_login_ip = db.Column(db.String(100))
    current_login_ip = db.Column(db.String(100))
    login_count = db.Column(db.Integer)
    failed_login_count = db.Column(db.Integer, default=0)
    first_failed_login_at = db.Column(db.DateTime())
    locked_until = db.Column(db.DateTime())
    roles = db.relationship("Role", secondary=roles_users, backref="users")


BASE_CONFIG: dict[str, Any] = {
    "SECRET_KEY": "fsec-fuzz-secret-key",
    "SECURITY_PASSWORD_SALT": "fsec-fuzz-salt",
    "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
    "WTF_CSRF_ENABLED": False,
    "MAIL_DEFAULT_SENDER": "site@example.com",
    "SECURITY_REGISTERABLE": True,
    "SECURITY_CONFIRMABLE": True,
    "SECURITY_RECOVERABLE": True,
    "SECURITY_CHANGEABLE": True,
    "SECURITY_TRACKABLE": True,
    "SECURITY_PLUGINS": ["lockout"],
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """A new app on :data:`BASE_CONFIG` updated with ``config``; tables created.

    :param config: overrides (the database URL, ``SECURITY_PASSWORDLESS``...).
    :returns: the Flask app.
    """
    app = Flask("fsec_fuzz_app")
    app.config.update(BASE_CONFIG)
    app.config.update(config or {})
    db.init_app(app)
    Security(app, SQLAlchemyUserDatastore(db, User, Role))

    @app.route("/")
    @login_required
    def index() -> Any:
        return f"Hello {current_user.email}"

    @app.route("/admin")
    @roles_required("admin")
    def admin() -> Any:
        return "admin area"

    @app.route("/editor")
    @roles_accepted("editor", "admin")
    def editor() -> Any:
        return "editor area"

    @app.route("/token")
    @auth_token_required
    def token() -> Any:
        return jsonify(email=current_user.email)

    @app.route("/basic")
    @http_auth_required
    def basic() -> Any:
        return jsonify(email=current_user.email)

    @app.route("/api", methods=["GET", "POST"])
    @auth_required("token", "basic", "session")
    def api() -> Any:
        return jsonify(email=current_user.email)

    with app.app_context():
        db.create_all()
    return app
