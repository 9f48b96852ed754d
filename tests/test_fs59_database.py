"""A database written by upstream Flask-Security 5.9.2 itself opens on fsec.

``fs59_database/schema.sql`` is the SQLite dump of a database 5.9.2 made and filled
(``scripts/fs59_database.py``, run 2026-12-02 with Flask-Security 5.9.2,
Flask-SQLAlchemy 3.1.1, SQLAlchemy 2.1.9): the application 5.x's docs show (packaged
``fsqla_v3`` models, ``Role``, ``User`` and ``WebAuthn`` declared with ``pass``), a
role with permissions, a user whose password 5.9.2 hashed (bcrypt, with
``SECURITY_PASSWORD_SALT``) and whose username is longer than 64 characters, and a
passkey registered through 5.9.2's JSON API (``/wan-register``) by fsec's software
authenticator, whose key is in ``fs59_database/passkey.json`` (a test key). Here the
same application code runs on fsec against that database: ``create_all`` adds no
table, the rows read back, the password signs in, the 5.x passkey signs in and
its counter moves on, and a passkey added on fsec is stored in 5.x's table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask_security import Security, SQLAlchemyUserDatastore, auth_required
from flask_security.models import fsqla_v3 as fsqla
from flask_security.testing.app import TEST_CONFIG
from flask_sqlalchemy import SQLAlchemy
from fsec_webauthn.testing import JsonFlow, Passkey, SoftAuthenticator, unb64url

DATA = Path(__file__).resolve().parent / "fs59_database"
RECORDED = json.loads((DATA / "passkey.json").read_text())
TABLES = {"user", "role", "roles_users", "web_authn"}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    path = tmp_path / "fs59.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((DATA / "schema.sql").read_text())
    app = Flask("fs59_database")
    app.config.update(TEST_CONFIG)
    app.config.update(
        SECURITY_PASSWORD_SALT=RECORDED["password_salt"],
        SECURITY_WEBAUTHN=True,
        SERVER_NAME=None,
        SECURITY_EXTERNAL_BASE_URL="http://localhost",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
    )
    db = SQLAlchemy(app)
    fsqla.FsModels.set_db_info(db)

    class Role(db.Model, fsqla.FsRoleMixin):
        pass

    class User(db.Model, fsqla.FsUserMixin):
        pass

    class WebAuthn(db.Model, fsqla.FsWebAuthnMixin):
        pass

    Security(app, SQLAlchemyUserDatastore(db, User, Role, WebAuthn))

    @app.route("/whoami")
    @auth_required()
    def whoami() -> str:
        from flask_security import current_user

        return str(current_user.email)

    with app.app_context():
        db.create_all()  # what a 5.x application does at start-up
    app.db = db  # type: ignore[attr-defined]
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _rows(app: Flask, sql: str) -> list[dict[str, Any]]:
    with app.app_context():
        result = app.db.session.execute(sa.text(sql))  # type: ignore[attr-defined]
        return [dict(row._mapping) for row in result]


def _recorded_authenticator() -> SoftAuthenticator:
    key = serialization.load_pem_private_key(RECORDED["private_key"].encode(), password=None)
    passkey = Passkey(
        credential_id=unb64url(RECORDED["credential_id"]),
        private_key=key,  # type: ignore[arg-type]
        rp_id=RECORDED["rp_id"],
        user_handle=unb64url(RECORDED["user_handle"]),
        sign_count=RECORDED["sign_count"],
    )
    return SoftAuthenticator(passkeys=[passkey])


def test_create_all_adds_no_table_and_5_x_rows_read_back(app: Flask) -> None:
    with app.app_context():
        assert set(sa.inspect(app.db.engine).get_table_names()) == TABLES  # type: ignore[attr-defined]
        ds = app.extensions["security"].datastore
        user = ds.find_user(email=RECORDED["email"])
        assert user.username == RECORDED["username"] and len(user.username) > 64
        assert [r.name for r in user.roles] == ["admin"]
        assert ds.find_role("admin").permissions == ["read", "write"]
        (cred,) = user.webauthn
        assert cred.credential_id == unb64url(RECORDED["credential_id"])
        assert (cred.name, cred.usage, cred.transports) == (
            "laptop",
            "first",
            ["internal", "hybrid"],
        )
        assert cred.create_datetime is not None and cred.sign_count == RECORDED["sign_count"]
        assert user.fs_webauthn_user_handle.encode() == unb64url(RECORDED["user_handle"])


def test_the_5_x_password_signs_in(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/whoami", headers={"Accept": "application/json"}).status_code == 401
    wrong = client.post("/login", json={"email": RECORDED["email"], "password": "nope"})
    assert wrong.status_code == 400
    r = client.post("/login", json={"email": RECORDED["email"], "password": RECORDED["password"]})
    assert r.status_code == 200, r.json
    assert client.get("/whoami").text == RECORDED["email"]


def test_the_5_x_passkey_signs_in_and_a_new_one_is_stored_in_5_x_s_table(app: Flask) -> None:
    client = app.test_client()
    auth = _recorded_authenticator()
    r = JsonFlow(client, auth).signin(identity=RECORDED["email"])
    assert r.status_code == 200, r.json
    assert client.get("/whoami").text == RECORDED["email"]
    (row,) = _rows(app, "SELECT sign_count FROM web_authn")
    assert row["sign_count"] == RECORDED["sign_count"] + 1 == auth.passkeys[0].sign_count

    r = JsonFlow(client, SoftAuthenticator()).register("phone", "first")
    assert r.status_code == 200, r.json
    rows = _rows(app, "SELECT name, sign_count, create_datetime FROM web_authn ORDER BY id")
    assert [row["name"] for row in rows] == ["laptop", "phone"]
    assert rows[1]["create_datetime"] is not None and rows[1]["sign_count"] == 0
    assert (
        set(sa.inspect(sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])).get_table_names())
        == TABLES
    )
