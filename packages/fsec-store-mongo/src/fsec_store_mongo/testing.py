"""A ready-made Flask app on MongoEngine for tests of fsec and its plugins.

* :func:`connect` registers mongoengine's default connection: to the real MongoDB
  server named by the environment variable ``FSEC_TEST_MONGODB_URI``
  (``mongodb://host:port``) when it is set, else to an in-process mongomock client
  (``mongomock`` must be installed; it enforces unique indexes like MongoDB).
* :func:`create_app` empties the collections of the documents below and builds an app
  with fsec on :class:`~fsec_store_mongo.MongoEngineUserDatastore`, configured from
  :data:`flask_security.testing.datastore_contract.TEST_APP_CONFIG`.

The documents are the documented MongoEngine quickstart's plus ``fs_uniquifier``, a
``username`` and the trackable fields. Routes: core's test pages
(:func:`flask_security.testing.app.add_test_routes`).
"""

from __future__ import annotations

import os
from typing import Any

import mongoengine as me
from flask import Flask
from flask_security import (
    RoleMixin,
    Security,
    UserMixin,
)
from flask_security.testing.app import add_test_routes
from flask_security.testing.datastore_contract import TEST_APP_CONFIG

from . import MongoEngineUserDatastore

#: Environment variable naming a real MongoDB server for the tests.
MONGODB_URI_VARIABLE = "FSEC_TEST_MONGODB_URI"


def database_kind() -> str:
    """``"mongodb"`` when the tests use a real server, else ``"mongomock"``."""
    return "mongodb" if os.environ.get(MONGODB_URI_VARIABLE) else "mongomock"


def connect(db_name: str, alias: str = me.DEFAULT_CONNECTION_NAME) -> Any:
    """Register mongoengine's connection ``alias`` to database ``db_name`` (see the
    module documentation); returns the client. Close it with
    ``mongoengine.disconnect(alias)``."""
    uri = os.environ.get(MONGODB_URI_VARIABLE)
    if uri:
        return me.connection.connect(
            db=db_name, host=uri, alias=alias, uuidRepresentation="standard"
        )
    import mongomock

    return me.connection.connect(
        db=db_name,
        host="mongodb://localhost",
        alias=alias,
        mongo_client_class=mongomock.MongoClient,
        uuidRepresentation="standard",
    )


class Role(me.Document, RoleMixin):
    name = me.StringField(max_length=80, unique=True)
    description = me.StringField(max_length=255)
    meta = {"collection": "fsec_test_role"}


class User(me.Document, UserMixin):
    email = me.StringField(max_length=255, unique=True)
    # sparse: many users may have no username, two may not share one
    username = me.StringField(max_length=255, unique=True, sparse=True)
    fs_uniquifier = me.StringField(max_length=64, unique=True, sparse=True)
    password = me.StringField(max_length=255)
    active = me.BooleanField(default=True)
    confirmed_at = me.DateTimeField()
    last_login_at = me.DateTimeField()
    current_login_at = me.DateTimeField()
    last_login_ip = me.StringField(max_length=100)
    current_login_ip = me.StringField(max_length=100)
    login_count = me.IntField()
    # fsec-two-factor (upstream 5.x's names)
    tf_primary_method = me.StringField(max_length=64)
    tf_totp_secret = me.StringField(max_length=255)
    tf_phone_number = me.StringField(max_length=128)
    mf_recovery_codes = me.ListField(me.StringField(), default=None)
    roles = me.ListField(me.ReferenceField(Role), default=[])
    # upstream 5.x's WebAuthn fields (fsec-webauthn)
    fs_webauthn_user_handle = me.StringField(max_length=64, unique=True, sparse=True)
    webauthn = me.ListField(me.ReferenceField("WebAuthn"), default=[])
    meta = {"collection": "fsec_test_user"}


class WebAuthn(me.Document):
    """A passkey: upstream Flask-Security 5.x's documented WebAuthn fields."""

    credential_id = me.BinaryField(primary=False, required=True, unique=True, max_bytes=1024)
    public_key = me.BinaryField(required=True, max_bytes=1024)
    sign_count = me.IntField(default=0)
    transports = me.ListField(me.StringField(max_length=64), default=[])
    extensions = me.StringField(max_length=255)
    lastuse_datetime = me.DateTimeField(required=True)
    name = me.StringField(max_length=64, required=True)
    usage = me.StringField(max_length=64, required=True)
    backup_state = me.BooleanField(required=True)
    device_type = me.StringField(max_length=64, required=True)
    user = me.ReferenceField(User)
    meta = {"collection": "fsec_test_webauthn"}

    def get_user_mapping(self) -> dict[str, Any]:
        """Fields finding the credential's user (upstream's mapping)."""
        return {"id": self.user.id}


# Deleting a user deletes their passkeys; deleting a passkey removes it from the list.
User.register_delete_rule(WebAuthn, "user", me.CASCADE)
WebAuthn.register_delete_rule(User, "webauthn", me.PULL)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """A new Flask app with fsec on the documents above, on empty collections.

    Needs a registered default connection (:func:`connect`).

    :param config: overrides of ``TEST_APP_CONFIG``.
    :returns: the app; ``app.extensions["security"].datastore`` is the datastore.
    """
    for document in (User, Role, WebAuthn):
        document.drop_collection()
        document.ensure_indexes()
    app = Flask("fsec_mongo_test_app")
    app.config.update(TEST_APP_CONFIG)
    app.config.update(config or {})
    Security(app, MongoEngineUserDatastore(me, User, Role, WebAuthn))

    add_test_routes(app)  # core's test pages: /, /admin, /editor, /token, /basic, /api
    return app
