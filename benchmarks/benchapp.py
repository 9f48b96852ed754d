"""The one benchmark application, built for three implementations.

``build_app(impl, uri)`` returns the same Flask application, the same SQLAlchemy models
and the same routes for:

* ``"floor"``: Flask + Flask-Login + Flask-SQLAlchemy and nothing else. Its session
  user loader is the thinnest correct one (one primary-key ``SELECT`` plus the
  ``active`` check); token, basic auth, role check and login are written here by
  hand, as small as they can be while still being correct.
* ``"fsec"``: this repository's ``flask_security`` (workspace virtualenv).
* ``"upstream"``: the maintained Flask-Security 5.9 (its own virtualenv).

This module imports only what the chosen implementation needs, so it runs in
every virtualenv. Differences between the three are listed in
``docs/benchmarks.md`` ("Differences between the three apps") and marked ``DIFF``
below.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import cache
from typing import Any

IMPLEMENTATIONS = ("floor", "fsec", "upstream")

SECRET_KEY = "benchmark-secret-key-not-for-production-0123456789"
PASSWORD_SALT = "benchmark-password-salt"
PASSWORD = "correct horse battery"
#: bcrypt cost used everywhere: 2**4 rounds, about 1 ms per hash here, so the
#: frameworks are measured and not the hash.
BCRYPT_ROUNDS = 4

#: Configuration every implementation gets.
COMMON_CONFIG: dict[str, Any] = {
    "SECRET_KEY": SECRET_KEY,
    "TESTING": False,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # CSRF is switched off for all three (the floor has none); see docs/benchmarks.md.
    "WTF_CSRF_ENABLED": False,
    "MAIL_SUPPRESS_SEND": True,
    "SECURITY_PASSWORD_HASH": "bcrypt",
    "SECURITY_PASSWORD_SALT": PASSWORD_SALT,
    "SECURITY_PASSWORD_HASH_OPTIONS": {"bcrypt": {"rounds": BCRYPT_ROUNDS}},
    "SECURITY_SEND_REGISTER_EMAIL": False,
    # The trusted host mailed links are built on: fsec refuses to start the mailing
    # features without one (the init benchmark switches them on); upstream ignores it.
    "SECURITY_EXTERNAL_BASE_URL": "http://bench.localhost",
}

#: DIFF: upstream-only settings.
UPSTREAM_CONFIG: dict[str, Any] = {
    # 5.x returns the auth token from JSON login only when asked; fsec (like 3.0)
    # always returns it, so ask upstream to do the same work.
    "SECURITY_BACKWARDS_COMPAT_AUTH_TOKEN": True,
}


def password_hash(password: str = PASSWORD, rounds: int = BCRYPT_ROUNDS) -> str:
    """The stored hash of ``password`` as all three write it (3.0's scheme).

    ``bcrypt(base64(HMAC-SHA512(key=SECURITY_PASSWORD_SALT, msg=password))[:72])``,
    in passlib's ``$2b$`` format. All three verify it; none re-hashes it on login
    (same scheme, same cost), so logins do not write.
    """
    import bcrypt

    return bcrypt.hashpw(_hmac_password(password), bcrypt.gensalt(rounds)).decode("ascii")


def _hmac_password(password: str) -> bytes:
    digest = hmac.new(PASSWORD_SALT.encode(), password.encode("utf-8"), hashlib.sha512).digest()
    return base64.b64encode(digest)[:72]


@dataclass
class Models:
    db: Any
    User: Any
    Role: Any
    roles_users: Any


def models(impl: str, extended: bool = False) -> Models:
    """The models of ``impl`` (built once per process; see :func:`_models`)."""
    return _models(impl, bool(extended))


@cache
def _models(impl: str, extended: bool) -> Models:
    """The documented 3.0 SQLAlchemy quickstart models, with the implementation's mixins.

    DIFF: ``fs_uniquifier`` (required by upstream 5.x) is in every implementation's
    table so that the three tables are identical; only upstream reads it.
    ``extended`` adds the columns confirmable and trackable write (for the
    ``init_app`` benchmark, which switches those features on).
    """
    from flask_sqlalchemy import SQLAlchemy

    if impl == "floor":
        from flask_login import UserMixin as LoginUserMixin

        class UserMixin(LoginUserMixin):  # type: ignore[no-redef]
            @property
            def is_active(self) -> bool:
                return bool(self.active)

        class RoleMixin:  # type: ignore[no-redef]
            pass

    else:  # fsec and upstream both export the documented mixins
        from flask_security import RoleMixin, UserMixin  # type: ignore[no-redef]

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

    columns: dict[str, Any] = {
        "__tablename__": "user",
        "id": db.Column(db.Integer, primary_key=True),
        "email": db.Column(db.String(255), unique=True),
        "password": db.Column(db.String(255)),
        "active": db.Column(db.Boolean()),
        "confirmed_at": db.Column(db.DateTime()),
        "fs_uniquifier": db.Column(db.String(64), unique=True, nullable=False),
        "roles": db.relationship(
            "Role", secondary=roles_users, backref=db.backref("users", lazy="dynamic")
        ),
    }
    if extended:
        columns.update(
            username=db.Column(db.String(255), unique=True, nullable=True),
            last_login_at=db.Column(db.DateTime()),
            current_login_at=db.Column(db.DateTime()),
            last_login_ip=db.Column(db.String(100)),
            current_login_ip=db.Column(db.String(100)),
            login_count=db.Column(db.Integer),
        )
    User = type("User", (db.Model, UserMixin), columns)
    return Models(db, User, Role, roles_users)


def build_app(
    impl: str,
    uri: str,
    *,
    extra_config: dict[str, Any] | None = None,
    extended: bool = False,
    security: bool = True,
) -> Any:
    """The benchmark app for ``impl`` on the database ``uri`` (tables not created).

    Routes: ``/public`` (no protection), ``/session`` (``login_required``),
    ``/token`` (``auth_token_required``), ``/admin`` (``roles_required("admin")``),
    ``/basic`` (``http_auth_required``) and ``/login`` (the extension's view; the
    floor's own). With ``security=False`` the app has only its models: the caller
    sets the extension up itself (:func:`init_security`, timed by the init benchmark).
    """
    from flask import Flask

    m = models(impl, extended)
    app = Flask(f"bench_{impl}")
    app.config.update(COMMON_CONFIG)
    if impl == "upstream":
        app.config.update(UPSTREAM_CONFIG)
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    app.config.update(extra_config or {})
    m.db.init_app(app)
    if not security:
        return app
    if impl == "floor":
        decorators = _floor_setup(app, m)
    else:
        init_security(app, impl, extended)
        decorators = _security_decorators()
    _add_routes(app, decorators)
    return app


def init_security(app: Any, impl: str, extended: bool = False) -> Any:
    """Set the extension up on ``app``: what the init benchmark times.

    fsec and upstream: ``Security(app, SQLAlchemyUserDatastore(db, User, Role))``, the
    documented call. floor: ``LoginManager(app)`` with its user loader.
    """
    m = models(impl, extended)
    if impl == "floor":
        from flask_login import LoginManager

        lm = LoginManager(app)
        lm.user_loader(lambda user_id: m.db.session.get(m.User, int(user_id)))
        return lm
    from flask_security import Security, SQLAlchemyUserDatastore

    return Security(app, SQLAlchemyUserDatastore(m.db, m.User, m.Role))


def _security_decorators() -> dict[str, Any]:
    import flask_security as fs

    return {
        "current_user": fs.current_user,
        "login_required": fs.login_required,
        "auth_token_required": fs.auth_token_required,
        "roles_required": fs.roles_required,
        "http_auth_required": fs.http_auth_required,
    }


def _add_routes(app: Any, d: dict[str, Any]) -> None:
    from flask import jsonify

    current_user = d["current_user"]

    @app.route("/public")
    def public() -> Any:
        return "public"

    @app.route("/session")
    @d["login_required"]
    def session_route() -> Any:
        return f"Hello {current_user.email}"

    @app.route("/token")
    @d["auth_token_required"]
    def token_route() -> Any:
        return jsonify(email=current_user.email)

    @app.route("/admin")
    @d["roles_required"]("admin")
    def admin_route() -> Any:
        return "admin area"

    @app.route("/basic")
    @d["http_auth_required"]
    def basic_route() -> Any:
        return jsonify(email=current_user.email)


# ---------------------------------------------------------------------------------------
# The floor: what an application would write by hand on Flask-Login alone.
# ---------------------------------------------------------------------------------------


def _floor_setup(app: Any, m: Models) -> dict[str, Any]:
    from functools import wraps

    import bcrypt
    import sqlalchemy as sa
    from flask import Response, abort, jsonify, redirect, request
    from flask_login import LoginManager, current_user, login_required, login_user
    from itsdangerous import BadSignature, URLSafeTimedSerializer

    db, User = m.db, m.User
    tokens = URLSafeTimedSerializer(SECRET_KEY, salt="floor-token")
    dummy = password_hash("not the password").encode("ascii")

    def check_password(user: Any, password: str) -> bool:
        stored = user.password.encode("ascii") if user is not None else dummy
        ok = bcrypt.checkpw(_hmac_password(password), stored)
        return ok and user is not None

    def by_email(email: str) -> Any:
        return db.session.execute(sa.select(User).where(User.email == email)).scalar()

    lm = LoginManager(app)

    @lm.user_loader
    def load_user(user_id: str) -> Any:
        # The thinnest correct loader: one primary-key SELECT, refuse inactive users.
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None

    @lm.unauthorized_handler
    def unauthorized() -> Any:
        return Response("Unauthorized", 401)

    def auth_token_required(fn: Any) -> Any:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = request.headers.get("Authentication-Token", "")
            try:
                user_id = tokens.loads(token)
            except BadSignature:
                return unauthorized()
            user = load_user(str(user_id))
            if user is None:
                return unauthorized()
            lm._update_request_context_with_user(user)
            return fn(*args, **kwargs)

        return wrapper

    def http_auth_required(fn: Any) -> Any:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            auth = request.authorization
            if auth is None or auth.type != "basic":
                return Response("Unauthorized", 401, {"WWW-Authenticate": 'Basic realm="x"'})
            user = by_email(auth.username or "")
            if not check_password(user, auth.password or "") or not user.active:
                return Response("Unauthorized", 401, {"WWW-Authenticate": 'Basic realm="x"'})
            lm._update_request_context_with_user(user)
            return fn(*args, **kwargs)

        return wrapper

    def roles_required(*names: str) -> Any:
        def decorator(fn: Any) -> Any:
            @wraps(fn)
            @login_required
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                have = {r.name for r in current_user.roles}  # lazy load: a second SELECT
                if not set(names) <= have:
                    abort(403)
                return fn(*args, **kwargs)

            return wrapper

        return decorator

    @app.route("/login", methods=["POST"])
    def login() -> Any:
        data = request.get_json(silent=True) if request.is_json else request.form
        email, password = (data or {}).get("email"), (data or {}).get("password")
        if not isinstance(email, str) or not isinstance(password, str):
            return jsonify(error="email and password required"), 400
        user = by_email(email)
        if not check_password(user, password) or not login_user(user):
            return jsonify(error="invalid"), 400
        if request.is_json:
            return jsonify(user={"id": str(user.id), "authentication_token": tokens.dumps(user.id)})
        return redirect("/")

    return {
        "current_user": current_user,
        "login_required": login_required,
        "auth_token_required": auth_token_required,
        "roles_required": roles_required,
        "http_auth_required": http_auth_required,
    }
