"""A ready-made Flask app on peewee for tests of fsec and its plugins.

``create_app(config, database)`` binds the models below to ``database`` (a new SQLite
in-memory database by default), drops and creates their tables, and builds an app
with fsec on :class:`~fsec_store_peewee.PeeweeUserDatastore`, configured from
:data:`flask_security.testing.datastore_contract.TEST_APP_CONFIG` (bcrypt at 4
rounds, CSRF off). The models are the documented peewee quickstart's plus a
``username``, ``fs_uniquifier`` and the trackable fields.

Routes: core's test pages (:func:`flask_security.testing.app.add_test_routes`).
"""

from __future__ import annotations

from typing import Any

import peewee
from flask import Flask
from flask_security import RoleMixin, Security, UserMixin
from flask_security.testing.app import add_test_routes
from flask_security.testing.datastore_contract import TEST_APP_CONFIG

from . import PeeweeUserDatastore


class BaseModel(peewee.Model):
    """Unbound: :func:`create_app` binds the models to a database."""


class Role(BaseModel, RoleMixin):
    name = peewee.CharField(unique=True)
    description = peewee.TextField(null=True)


class ListAsText(peewee.TextField):
    """A list of strings stored as one comma-separated text (peewee has no list)."""

    def db_value(self, value: Any) -> Any:
        return None if value is None else ",".join(value)

    def python_value(self, value: Any) -> Any:
        return None if value is None else [v for v in value.split(",") if v]


class User(BaseModel, UserMixin):
    email = peewee.CharField(max_length=255, unique=True)
    username = peewee.CharField(max_length=255, unique=True, null=True)
    fs_uniquifier = peewee.CharField(max_length=64, unique=True, null=True)
    password = peewee.TextField(null=True)
    active = peewee.BooleanField(default=True)
    confirmed_at = peewee.DateTimeField(null=True)
    last_login_at = peewee.DateTimeField(null=True)
    current_login_at = peewee.DateTimeField(null=True)
    last_login_ip = peewee.CharField(max_length=100, null=True)
    current_login_ip = peewee.CharField(max_length=100, null=True)
    login_count = peewee.IntegerField(null=True)
    # upstream 5.x's WebAuthn user handle (fsec-webauthn)
    fs_webauthn_user_handle = peewee.CharField(max_length=64, unique=True, null=True)
    # fsec-two-factor (upstream 5.x's names)
    tf_primary_method = peewee.CharField(max_length=64, null=True)
    tf_totp_secret = peewee.CharField(max_length=255, null=True)
    tf_phone_number = peewee.CharField(max_length=128, null=True)
    mf_recovery_codes = ListAsText(null=True)


class WebAuthn(BaseModel):
    """A passkey: upstream Flask-Security 5.x's documented WebAuthn fields."""

    credential_id = peewee.BlobField(unique=True)
    public_key = peewee.BlobField()
    sign_count = peewee.IntegerField(default=0)
    transports = ListAsText(null=True)
    extensions = peewee.CharField(max_length=255, null=True)
    lastuse_datetime = peewee.DateTimeField()
    name = peewee.CharField(max_length=64)
    usage = peewee.CharField(max_length=64)
    backup_state = peewee.BooleanField()
    device_type = peewee.CharField(max_length=64)
    user = peewee.ForeignKeyField(User, backref="webauthn", on_delete="CASCADE")

    def get_user_mapping(self) -> dict[str, Any]:
        """Fields finding the credential's user (upstream's mapping)."""
        return {"id": self.user_id}  # type: ignore[attr-defined]


class UserRoles(BaseModel):
    """Links users to roles; reads like a role (``name``, ``description``)."""

    user = peewee.ForeignKeyField(User, backref="roles")
    role = peewee.ForeignKeyField(Role, backref="users")

    @property
    def name(self) -> str:
        return str(self.role.name)

    @property
    def description(self) -> str | None:
        return self.role.description


MODELS: list[type[peewee.Model]] = [Role, User, UserRoles, WebAuthn]


def create_app(
    config: dict[str, Any] | None = None, database: peewee.Database | None = None
) -> Flask:
    """A new Flask app with fsec on the models above, on empty tables.

    :param config: overrides of ``TEST_APP_CONFIG``.
    :param database: where the tables live (their tables are dropped and created);
        a new in-memory SQLite database when ``None``.
    :returns: the app; ``app.extensions["security"].datastore`` is the datastore.
    """
    database = database if database is not None else peewee.SqliteDatabase(":memory:")
    app = Flask("fsec_peewee_test_app")
    app.config.update(TEST_APP_CONFIG)
    app.config.update(config or {})
    datastore = PeeweeUserDatastore(database, User, Role, UserRoles, WebAuthn)
    database.bind(MODELS)
    database.drop_tables(MODELS)
    database.create_tables(MODELS)  # after the datastore added the lower(email) index
    Security(app, datastore)

    add_test_routes(app)  # core's test pages: /, /admin, /editor, /token, /basic, /api
    return app
