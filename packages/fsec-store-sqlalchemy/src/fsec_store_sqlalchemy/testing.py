"""A ready-made Flask app on Flask-SQLAlchemy for tests of fsec features and plugins.

``create_app(config)`` builds a fresh app (SQLite in memory unless
``SQLALCHEMY_DATABASE_URI`` is given) on the documented quickstart models, extended
with every field the first-party features use (``confirmed_at``, the trackable
fields, ``username``, upstream's ``fs_uniquifier``, the two-factor fields), with
bcrypt at 4 rounds so tests measure logic, not hashing.

Routes: ``/`` (``login_required``), ``/admin`` (``roles_required("admin")``),
``/editor`` (``roles_accepted("editor", "admin")``), ``/token``
(``auth_token_required``), ``/basic`` (``http_auth_required``), ``/api``
(``auth_required("token", "basic", "session")``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from flask_security import (
    RoleMixin,
    Security,
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

from . import SQLAlchemyUserDatastore

db = SQLAlchemy()

roles_users = db.Table(
    "roles_users",
    db.Column("user_id", db.Integer(), db.ForeignKey("user.id")),
    db.Column("role_id", db.Integer(), db.ForeignKey("role.id")),
)


class Role(db.Model, RoleMixin):  # type: ignore[name-defined,misc]
    id = db.Column(db.Integer(), primary_key=True)
    name = db.Column(db.String(80), unique=True)
    description = db.Column(db.String(255))


class User(db.Model, UserMixin):  # type: ignore[name-defined,misc]
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True)
    username = db.Column(db.String(255), unique=True, nullable=True)
    fs_uniquifier = db.Column(db.String(64), unique=True, nullable=True)
    password = db.Column(db.String(255))
    active = db.Column(db.Boolean())
    confirmed_at = db.Column(db.DateTime())
    last_login_at = db.Column(db.DateTime())
    current_login_at = db.Column(db.DateTime())
    last_login_ip = db.Column(db.String(100))
    current_login_ip = db.Column(db.String(100))
    login_count = db.Column(db.Integer)
    # fsec-two-factor (upstream 5.x's names; recovery codes: a list of strings)
    tf_primary_method = db.Column(db.String(64), nullable=True)
    tf_totp_secret = db.Column(db.String(255), nullable=True)
    tf_phone_number = db.Column(db.String(128), nullable=True)
    mf_recovery_codes = db.Column(db.JSON, nullable=True)
    roles = db.relationship(
        "Role", secondary=roles_users, backref=db.backref("users", lazy="dynamic")
    )
    # upstream 5.x's WebAuthn fields (fsec-webauthn)
    fs_webauthn_user_handle = db.Column(db.String(64), unique=True, nullable=True)
    webauthn = db.relationship(
        "WebAuthn", back_populates="user", cascade="all, delete", order_by="WebAuthn.id"
    )


class WebAuthn(db.Model):  # type: ignore[name-defined,misc]
    """A passkey: upstream Flask-Security 5.x's documented WebAuthn fields."""

    id = db.Column(db.Integer, primary_key=True)
    credential_id = db.Column(db.LargeBinary(1024), index=True, unique=True, nullable=False)
    public_key = db.Column(db.LargeBinary(1024), nullable=False)
    sign_count = db.Column(db.Integer, default=0, nullable=False)
    transports = db.Column(db.JSON, nullable=True)
    extensions = db.Column(db.String(255))
    lastuse_datetime = db.Column(db.DateTime, nullable=False)
    name = db.Column(db.String(64), nullable=False)
    usage = db.Column(db.String(64), nullable=False)
    backup_state = db.Column(db.Boolean, nullable=False)
    device_type = db.Column(db.String(64), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="CASCADE"))
    user = db.relationship("User", back_populates="webauthn")

    def get_user_mapping(self) -> dict[str, Any]:
        """Fields finding the credential's user (upstream's mapping)."""
        return {"id": self.user_id}


TEST_CONFIG: dict[str, Any] = {
    "SECRET_KEY": "fsec-test-secret-key",
    "TESTING": True,
    "SECURITY_PASSWORD_SALT": "fsec-test-salt",
    "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": 4}},
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "WTF_CSRF_ENABLED": False,
    "MAIL_SUPPRESS_SEND": True,
    "SERVER_NAME": "localhost",
}


def create_app(
    config: dict[str, Any] | None = None,
    security_kwargs: dict[str, Any] | None = None,
    datastore_class: type = SQLAlchemyUserDatastore,
) -> Flask:
    """A new Flask app with fsec on the models above; tables created.

    :param config: overrides of :data:`TEST_CONFIG` (``SECURITY_RECOVERABLE`` ...).
    :param security_kwargs: keyword arguments for ``Security`` (form overrides...).
    :returns: the app; ``app.extensions["security"]`` is the state,
        ``app.extensions["security"].datastore`` the datastore.
    """
    app = Flask("fsec_test_app")
    app.config.update(TEST_CONFIG)
    app.config.update(config or {})
    db.init_app(app)
    datastore = datastore_class(db, User, Role, WebAuthn)
    Security(app, datastore, **(security_kwargs or {}))

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

    @app.route("/api")
    @auth_required("token", "basic", "session")
    def api() -> Any:
        return jsonify(email=current_user.email)

    @app.route("/public")
    def public() -> Any:
        return "public"

    with app.app_context():
        db.create_all()
    return app


def add_user(
    app: Flask,
    email: str,
    password: str | None = "password",
    roles: tuple[str, ...] = (),
    **fields: Any,
) -> int:
    """Create (and commit) a user with a hashed password; returns its id.

    Missing roles are created. ``fields`` go to the model (``active=False``...).
    """
    from flask_security.utils import hash_password

    with app.app_context():
        datastore = app.extensions["security"].datastore
        for name in roles:
            datastore.find_or_create_role(name)
        user = datastore.create_user(
            email=email,
            password=hash_password(password) if password is not None else None,
            roles=list(roles),
            **fields,
        )
        datastore.commit()
        return int(user.id)


def login(client: Any, email: str, password: str = "password", **extra: Any) -> Any:
    """POST the login form (JSON) with the client; returns the response."""
    return client.post("/login", json={"email": email, "password": password, **extra})
