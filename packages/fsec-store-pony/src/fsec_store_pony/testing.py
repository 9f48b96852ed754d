"""A ready-made Flask app on Pony ORM for tests of fsec and its plugins.

Pony binds entities to one ``Database`` when they are defined, so the models are made
by :func:`define_entities` for a given database. ``create_app(config, db)`` builds an
app with fsec on :class:`~fsec_store_pony.PonyUserDatastore` over ``db`` (a new
SQLite in-memory database with the entities when ``None``; otherwise ``db``'s tables
are dropped and created again), configured from
:data:`flask_security.testing.datastore_contract.TEST_APP_CONFIG` (bcrypt at 4
rounds, CSRF off).

Routes: core's test pages (:func:`flask_security.testing.app.add_test_routes`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask_security import (
    RoleMixin,
    Security,
    UserMixin,
)
from flask_security.testing.app import add_test_routes
from flask_security.testing.datastore_contract import TEST_APP_CONFIG
from pony.orm import Database, Json, Optional, Required, Set

from . import PonyUserDatastore


def define_entities(db: Database) -> tuple[type, type]:
    """Define ``User`` and ``Role`` on ``db`` (before ``generate_mapping``).

    The documented fields plus ``username``, ``fs_uniquifier`` and the trackable fields.

    :returns: ``(User, Role)``.
    """

    class Role(db.Entity, RoleMixin):  # type: ignore[name-defined,misc]
        name = Required(str, 80, unique=True)
        description = Optional(str, 255, nullable=True)
        users = Set("User")

    class User(db.Entity, UserMixin):  # type: ignore[name-defined,misc]
        email = Required(str, 255, unique=True)
        username = Optional(str, 255, unique=True, nullable=True)
        fs_uniquifier = Optional(str, 64, unique=True, nullable=True)
        password = Optional(str, 255, nullable=True)
        active = Required(bool, default=True)
        confirmed_at = Optional(datetime)
        last_login_at = Optional(datetime)
        current_login_at = Optional(datetime)
        last_login_ip = Optional(str, 100, nullable=True)
        current_login_ip = Optional(str, 100, nullable=True)
        login_count = Optional(int)
        # fsec-two-factor (upstream 5.x's names)
        tf_primary_method = Optional(str, 64, nullable=True)
        tf_totp_secret = Optional(str, 255, nullable=True)
        tf_phone_number = Optional(str, 128, nullable=True)
        mf_recovery_codes = Optional(Json)
        roles = Set(Role)
        # upstream 5.x's WebAuthn fields (fsec-webauthn)
        fs_webauthn_user_handle = Optional(str, 64, unique=True, nullable=True)
        webauthn = Set("WebAuthn", cascade_delete=True)

    class WebAuthn(db.Entity):  # type: ignore[name-defined,misc]
        """A passkey: upstream Flask-Security 5.x's documented WebAuthn fields."""

        credential_id = Required(bytes, unique=True, index=True)
        public_key = Required(bytes)
        sign_count = Required(int, default=0)
        transports = Optional(Json)
        extensions = Optional(str, 255, nullable=True)
        lastuse_datetime = Required(datetime)
        name = Required(str, 64)
        usage = Required(str, 64)
        backup_state = Required(bool)
        device_type = Required(str, 64)
        user = Required(User)

        def get_user_mapping(self) -> dict[str, Any]:
            """Fields finding the credential's user (upstream's mapping)."""
            return {"id": self.user.id}

    return User, Role


def create_app(config: dict[str, Any] | None = None, db: Database | None = None) -> Flask:
    """A new Flask app with fsec on Pony entities, on empty tables.

    :param config: overrides of ``TEST_APP_CONFIG``.
    :param db: a mapped ``Database`` whose entities came from :func:`define_entities`
        (its tables are dropped and created); ``None``: a new in-memory SQLite one.
    :returns: the app; ``app.extensions["security"].datastore`` is the datastore.
    """
    if db is None:
        db = Database()
        define_entities(db)
        db.bind(provider="sqlite", filename=":memory:")
        db.generate_mapping(create_tables=True)
    else:
        db.drop_all_tables(with_all_data=True)
        db.create_tables()
    app = Flask("fsec_pony_test_app")
    app.config.update(TEST_APP_CONFIG)
    app.config.update(config or {})
    entities = db.entities
    Security(
        app,
        PonyUserDatastore(db, entities["User"], entities["Role"], entities.get("WebAuthn")),
    )

    add_test_routes(app)  # core's test pages: /, /admin, /editor, /token, /basic, /api
    return app
