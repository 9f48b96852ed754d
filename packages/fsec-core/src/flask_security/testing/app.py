"""The shared test application: a ready Flask app with fsec for the tests of fsec's
distributions and of third-party plugins and stores.

``create_app(config)`` builds a fresh app (SQLite in memory unless
``SQLALCHEMY_DATABASE_URI`` is given) with bcrypt at 4 rounds (tests measure logic,
not hashing), CSRF off, mail suppressed and ``SERVER_NAME = "localhost"``, and these
routes: ``/`` (``login_required``), ``/admin`` (``roles_required("admin")``),
``/editor`` (``roles_accepted("editor", "admin")``), ``/token``
(``auth_token_required``), ``/basic`` (``http_auth_required``), ``/api``
(``auth_required("token", "basic", "session")``) and ``/public``.

Its store is the reference one, fsec-store-sqlalchemy, on models with every field the
first-party features use. fsec-core does not depend on SQLAlchemy: importing this
module needs only fsec-core; building an app, or reading the models (``db``,
``User``, ``Role``, ``WebAuthn``, ``roles_users``: ``from flask_security.testing.app
import User, db``), needs fsec-store-sqlalchemy installed (a test dependency of every
distribution that uses this app). ``fsec_store_sqlalchemy.testing``, where this app
lived before, re-exports these names for one release.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from flask import Flask, jsonify

from flask_security import (
    Security,
    auth_required,
    auth_token_required,
    current_user,
    http_auth_required,
    login_required,
    roles_accepted,
    roles_required,
)
from flask_security.utils import hash_password

__all__ = ["TEST_CONFIG", "add_test_routes", "add_user", "create_app", "login"]

#: The names served from the default store's models (they need Flask-SQLAlchemy).
_MODEL_NAMES = ("db", "roles_users", "Role", "User", "WebAuthn")

#: The test app's config: bcrypt at 4 rounds, SQLite in memory, CSRF off, mail suppressed.
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


def _models() -> Any:
    """The models module (imports Flask-SQLAlchemy on first use)."""
    return import_module("flask_security.testing._sqlalchemy_models")


def __getattr__(name: str) -> Any:
    """``db``, ``User``, ``Role``, ``WebAuthn`` and ``roles_users``, loaded on first use.

    :raises ModuleNotFoundError: Flask-SQLAlchemy is not installed
        (``pip install fsec-store-sqlalchemy``).
    :raises AttributeError: any other name.
    """
    if name in _MODEL_NAMES:
        return getattr(_models(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def create_app(
    config: dict[str, Any] | None = None,
    security_kwargs: dict[str, Any] | None = None,
    datastore_class: Any = None,
) -> Flask:
    """A new Flask app with fsec on the shared models; tables created.

    :param config: overrides of :data:`TEST_CONFIG` (``SECURITY_RECOVERABLE`` ...).
    :param security_kwargs: keyword arguments for ``Security`` (form overrides...).
    :param datastore_class: ``datastore_class(db, User, Role, WebAuthn)`` returns the
        datastore; default fsec-store-sqlalchemy's ``SQLAlchemyUserDatastore``.
    :returns: the app; ``app.extensions["security"]`` is the state,
        ``app.extensions["security"].datastore`` the datastore.
    :raises ModuleNotFoundError: fsec-store-sqlalchemy (Flask-SQLAlchemy) is missing.
    """
    models = _models()
    if datastore_class is None:
        datastore_class = import_module("fsec_store_sqlalchemy").SQLAlchemyUserDatastore
    app = Flask("fsec_test_app")
    app.config.update(TEST_CONFIG)
    app.config.update(config or {})
    models.db.init_app(app)
    datastore = datastore_class(models.db, models.User, models.Role, models.WebAuthn)
    Security(app, datastore, **(security_kwargs or {}))
    add_test_routes(app)
    with app.app_context():
        models.db.create_all()
    return app


def add_test_routes(app: Flask) -> None:
    """Add the test app's protected and public routes (listed above) to ``app``.

    For a plugin or store that builds its own app on its own models and wants the
    same pages to test against.
    """

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


def add_user(
    app: Flask,
    email: str,
    password: str | None = "password",
    roles: tuple[str, ...] = (),
    **fields: Any,
) -> int:
    """Create (and commit) a user with a hashed password, on any store.

    :param app: an app with fsec (``app.extensions["security"]``).
    :param password: the plain password (hashed with the app's settings); ``None``
        creates an account without a password.
    :param roles: role names; missing roles are created.
    :param fields: more model fields (``active=False``...).
    :returns: the new user's id.
    """
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
    """POST the login form as JSON with the test client.

    :param client: a Flask test client.
    :param extra: more JSON fields (``remember=True``...).
    :returns: the response.
    """
    return client.post("/login", json={"email": email, "password": password, **extra})
