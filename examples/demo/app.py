"""The fsec demo: a real Flask app protected by fsec, on an SQLite file.

Run it with ``make demo`` (or ``sh scripts/demo.sh``). On first start it creates
``examples/demo/instance/demo.db`` with an admin and a normal user and prints their
credentials. Mail is printed to the console instead of being sent.
"""

from __future__ import annotations

import datetime
import os
import secrets
from typing import Any

from flask import Flask, jsonify, render_template
from flask_security import (
    RoleMixin,
    Security,
    SQLAlchemyUserDatastore,
    UserMixin,
    auth_token_required,
    current_security,
    current_user,
    login_required,
    roles_required,
)
from flask_security.plugins import FIRST_PARTY_FEATURES, discover
from flask_security.utils import hash_password
from flask_sqlalchemy import SQLAlchemy

HERE = os.path.dirname(os.path.abspath(__file__))
#: The folder of the SQLite file and the generated secrets; ``FSEC_DEMO_INSTANCE``
#: chooses another (the browser tests run the demo on a throwaway one).
INSTANCE = os.environ.get("FSEC_DEMO_INSTANCE") or os.path.join(HERE, "instance")

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
    password = db.Column(db.String(255))
    active = db.Column(db.Boolean())
    confirmed_at = db.Column(db.DateTime())
    last_login_at = db.Column(db.DateTime())
    current_login_at = db.Column(db.DateTime())
    last_login_ip = db.Column(db.String(100))
    current_login_ip = db.Column(db.String(100))
    login_count = db.Column(db.Integer)
    # The fields the example lockout plugin keeps its counters in (examples/fsec-lockout).
    failed_login_count = db.Column(db.Integer, default=0)
    first_failed_login_at = db.Column(db.DateTime())
    locked_until = db.Column(db.DateTime())
    # fsec-two-factor's fields (Flask-Security 5.x's names).
    tf_primary_method = db.Column(db.String(64))
    tf_totp_secret = db.Column(db.String(255))
    tf_phone_number = db.Column(db.String(128))
    mf_recovery_codes = db.Column(db.JSON)
    roles = db.relationship(
        "Role", secondary=roles_users, backref=db.backref("users", lazy="dynamic")
    )
    # Passkeys (fsec-webauthn, upstream Flask-Security 5.x's fields).
    fs_webauthn_user_handle = db.Column(db.String(64), unique=True)
    webauthn = db.relationship(
        "WebAuthn", back_populates="user", cascade="all, delete", order_by="WebAuthn.id"
    )


class WebAuthn(db.Model):  # type: ignore[name-defined,misc]
    """A user's passkey (upstream Flask-Security 5.x's documented WebAuthn model)."""

    id = db.Column(db.Integer, primary_key=True)
    credential_id = db.Column(db.LargeBinary(1024), index=True, unique=True, nullable=False)
    public_key = db.Column(db.LargeBinary(1024), nullable=False)
    sign_count = db.Column(db.Integer, default=0, nullable=False)
    transports = db.Column(db.JSON)
    extensions = db.Column(db.String(255))
    lastuse_datetime = db.Column(db.DateTime, nullable=False)
    name = db.Column(db.String(64), nullable=False)
    usage = db.Column(db.String(64), nullable=False)
    backup_state = db.Column(db.Boolean, nullable=False)
    device_type = db.Column(db.String(64), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="CASCADE"))
    user = db.relationship("User", back_populates="webauthn")

    def get_user_mapping(self) -> dict[str, Any]:
        return {"id": self.user_id}


def _secret(name: str) -> str:
    """A secret kept in the instance folder, made once (never commit real secrets)."""
    path = os.path.join(INSTANCE, name)
    if not os.path.exists(path):
        with open(path, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    with open(path) as fh:
        return fh.read().strip()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the demo app. ``config`` overrides settings (tests use it)."""
    os.makedirs(INSTANCE, exist_ok=True)
    app = Flask(__name__, instance_path=INSTANCE)
    app.config.update(
        SECRET_KEY=os.environ.get("FSEC_DEMO_SECRET_KEY") or _secret("secret_key"),
        SECURITY_PASSWORD_SALT=os.environ.get("FSEC_DEMO_PASSWORD_SALT") or _secret("salt"),
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(INSTANCE, "demo.db"),
        SECURITY_CHANGEABLE=True,
        SECURITY_SEND_PASSWORD_CHANGE_EMAIL=True,
        MAIL_DEFAULT_SENDER="demo@fsec.invalid",
        # Links in mails are built on this URL, never on the request's Host header
        # (which any client chooses); fsec refuses to start without a trusted host.
        # Passkeys are checked against it too, and browsers allow them on https sites
        # and on http://localhost only (a host name, not 127.0.0.1).
        SECURITY_EXTERNAL_BASE_URL=os.environ.get("FSEC_DEMO_BASE_URL")
        or f"http://localhost:{os.environ.get('FSEC_DEMO_PORT', '5000')}",
        SECURITY_WAN_RP_NAME="fsec demo",
    )
    # Every installed first-party feature is switched on by its documented flag.
    installed = discover()
    for feature in FIRST_PARTY_FEATURES:
        if feature in installed:
            app.config["SECURITY_" + feature.upper()] = True
    # Passwordless replaces the password login page with "mail me a link", which would
    # hide the seeded passwords below, so the demo keeps it off unless asked for.
    passwordless_wanted = os.environ.get("FSEC_DEMO_PASSWORDLESS") == "1"
    if "passwordless" in installed and not passwordless_wanted:
        app.config["SECURITY_PASSWORDLESS"] = False
    # Two-factor (when fsec-two-factor is installed, it is on like every feature):
    # an authenticator app or mailed codes, and recovery codes. The TOTP secrets
    # encrypt the users' second-factor secrets in the database.
    if "two_factor" in installed:
        app.config.update(
            SECURITY_TOTP_SECRETS={"1": os.environ.get("FSEC_DEMO_TOTP_SECRET") or _secret("totp")},
            SECURITY_TOTP_ISSUER="fsec demo",
            SECURITY_TWO_FACTOR_ENABLED_METHODS=["authenticator", "email"],
            SECURITY_MULTI_FACTOR_RECOVERY_CODES=True,
        )
    # Re-authentication (5.x "freshness"): pages that change how you sign in
    # (/tf-setup, /wan-register, recovery codes) ask for the password or a passkey
    # again when the sign-in is older than SECURITY_FRESHNESS (24 hours by default).
    # FSEC_DEMO_FRESHNESS=60 shortens it to a minute, to see that prompt.
    freshness = os.environ.get("FSEC_DEMO_FRESHNESS")
    if freshness:
        app.config["SECURITY_FRESHNESS"] = datetime.timedelta(seconds=int(freshness))
        app.config["SECURITY_FRESHNESS_GRACE_PERIOD"] = datetime.timedelta(0)
    # A third-party plugin is switched on by name: `pip install fsec-lockout` plus this
    # one line gives the demo account lockout (the demo turns it on when installed).
    if "lockout" in installed:
        app.config["SECURITY_PLUGINS"] = ["lockout"]
    app.config.update(config or {})
    db.init_app(app)
    datastore = SQLAlchemyUserDatastore(db, User, Role, WebAuthn)
    security = Security(app, datastore)

    @security.send_mail_task
    def print_mail(message: Any) -> None:
        # The demo prints mail to the console; a real app sends it with Flask-Mail.
        print("\n" + "=" * 72, flush=True)
        print(f"MAIL to {', '.join(message.recipients)}: {message.subject}", flush=True)
        print("-" * 72, flush=True)
        print(message.body or message.html, flush=True)
        print("=" * 72 + "\n", flush=True)

    @app.route("/")
    def index() -> Any:
        return render_template("index.html", features=sorted(current_security.plugins.infos))

    @app.template_filter("when")
    def when(value: Any) -> str:
        # Stored times are naive UTC (SECURITY_DATETIME_FACTORY); shown to the minute.
        return value.strftime("%-d %B %Y, %H:%M UTC") if value else "never"

    @app.errorhandler(403)
    def forbidden(error: Any) -> Any:
        # roles_required answers 403 to a signed-in user without the role.
        return render_template("403.html", message=getattr(error, "description", "")), 403

    @app.route("/favicon.ico")
    def favicon() -> Any:
        # Browsers ask for it on every page; a 404 there is a console error.
        icon = (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
            '<rect width="16" height="16" rx="3" fill="#2c5d8f"/></svg>'
        )
        return app.response_class(
            icon, mimetype="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
        )

    @app.route("/profile")
    @login_required
    def profile() -> Any:
        return render_template("profile.html")

    @app.route("/admin")
    @roles_required("admin")
    def admin() -> Any:
        users = db.session.execute(db.select(User).order_by(User.id)).scalars().all()
        return render_template("admin.html", users=users)

    @app.route("/api/me")
    @auth_token_required
    def api_me() -> Any:
        return jsonify(
            id=current_user.id,
            email=current_user.email,
            roles=[r.name for r in current_user.roles],
        )

    with app.app_context():
        _replace_outdated_database(app)
        db.create_all()
        _seed(app, datastore)
    return app


def _replace_outdated_database(app: Flask) -> None:
    """Start a new demo database when the file predates the current models (a column
    of ``User`` is missing); the old file is kept as ``demo.db.old``."""
    import sqlalchemy as sa

    inspector = sa.inspect(db.engine)
    if not inspector.has_table("user"):
        return
    present = {c["name"] for c in inspector.get_columns("user")}
    missing = [c.name for c in User.__table__.columns if c.name not in present]
    path = db.engine.url.database
    if not missing or not path or not os.path.exists(path):
        return
    db.engine.dispose()
    os.replace(path, path + ".old")
    if not app.testing:
        print(
            f"fsec demo: {path} lacked {', '.join(missing)}; it is kept as demo.db.old "
            "and a new database is created.",
            flush=True,
        )


def _seed(app: Flask, datastore: SQLAlchemyUserDatastore) -> None:
    created = []
    admin_role = datastore.find_or_create_role("admin", description="Administrators")
    for email, password, roles in (
        ("admin@example.com", "admin-password", [admin_role]),
        ("user@example.com", "user-password", []),
    ):
        if datastore.find_user_by_identity(email) is None:
            kwargs: dict[str, Any] = {}
            if hasattr(User, "confirmed_at"):
                kwargs["confirmed_at"] = app.config["SECURITY_DATETIME_FACTORY"]()
            datastore.create_user(
                email=email, password=hash_password(password), roles=roles, **kwargs
            )
            created.append((email, password))
    datastore.commit()
    if created and not app.testing:
        print("fsec demo: created users (email / password):", flush=True)
        for email, password in created:
            print(f"  {email} / {password}", flush=True)


def passwordless_note(app: Flask) -> str | None:
    """The start-up line saying whether passwordless login is on and how to switch it
    (printed when the server starts, not by every ``flask`` command), or ``None`` when
    fsec-passwordless is not installed."""
    if "passwordless" not in discover():
        return None
    if app.config.get("SECURITY_PASSWORDLESS"):
        return (
            "fsec demo: passwordless is on: /login mails a sign-in link (printed below); "
            "there is no password login page."
        )
    return (
        "fsec demo: passwordless is off (it replaces the password login page); "
        "start with FSEC_DEMO_PASSWORDLESS=1 to sign in by mailed link instead."
    )

if __name__ == "__main__":
    port = int(os.environ.get("FSEC_DEMO_PORT", "5000"))
    demo = create_app()
    note = passwordless_note(demo)
    if note:
        print(note, flush=True)
    print(
        f"fsec demo: open {demo.config['SECURITY_EXTERNAL_BASE_URL']} (passkeys need the "
        "host name localhost, not the 127.0.0.1 address Flask prints below)",
        flush=True,
    )
    demo.run(host="127.0.0.1", port=port)
