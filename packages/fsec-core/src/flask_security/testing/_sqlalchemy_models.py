"""The models of the shared test application's default store (Flask-SQLAlchemy).

Private to :mod:`flask_security.testing.app`, which hands these names out lazily
(``from flask_security.testing.app import User, db``): importing this module needs
Flask-SQLAlchemy (fsec-store-sqlalchemy brings it), which fsec-core itself does not
depend on.

The documented quickstart models, extended with every field the first-party features
use: ``confirmed_at``, the trackable fields, ``username``, upstream's
``fs_uniquifier``, the two-factor fields and upstream 5.x's WebAuthn model.
"""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy import SQLAlchemy

from flask_security import RoleMixin, UserMixin

db = SQLAlchemy()

roles_users = db.Table(
    "roles_users",
    db.Column("user_id", db.Integer(), db.ForeignKey("user.id")),
    db.Column("role_id", db.Integer(), db.ForeignKey("role.id")),
)


class Role(db.Model, RoleMixin):  # type: ignore[name-defined,misc]
    """A role: the quickstart's fields."""

    id = db.Column(db.Integer(), primary_key=True)
    name = db.Column(db.String(80), unique=True)
    description = db.Column(db.String(255))


class User(db.Model, UserMixin):  # type: ignore[name-defined,misc]
    """A user with the fields of every first-party feature."""

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
