"""Record a database written by upstream Flask-Security 5.9.2 itself, for
``tests/test_fs59_database.py`` (a 5.x database opens on fsec: the password and the
passkey 5.x stored still sign in).

Run it with a 5.9.2 virtualenv's interpreter, from the checkout's root::

    python3 -m venv /tmp/fs59
    /tmp/fs59/bin/pip install "flask-security[fsqla,common,mfa]==5.9.2" webauthn
    /tmp/fs59/bin/python scripts/fs59_database.py tests/fs59_database

It declares the application 5.x's docs show (packaged ``fsqla_v3`` models:
``Role``, ``User``, ``WebAuthn`` declared with ``pass``), lets 5.9.2 create the
tables in a SQLite file and write a role and a user (password hashed with bcrypt,
``SECURITY_PASSWORD_HASH = "bcrypt"``), signs in through 5.9.2's JSON API and
registers a passkey through it (``/wan-register``) with fsec's software
authenticator, checks 5.9.2 signs in with that passkey (``/wan-signin``), and writes
``schema.sql`` (the SQLite dump) and ``passkey.json`` (the authenticator's key, so the
test can use the passkey again) into the folder given.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sqlite3
import sys
import tempfile

from cryptography.hazmat.primitives import serialization

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOFT = ROOT / "packages/fsec-webauthn/src/fsec_webauthn/testing.py"
EMAIL, PASSWORD = "ann@example.com", "correct horse battery"
SALT = "fs59-recording-salt"
#: 100 characters: more than the 64 fsec's models had (5.9.2's column is 255)
USERNAME = "ann-" + "x" * 96


def _soft_authenticator() -> type:
    spec = importlib.util.spec_from_file_location("fsec_soft_authenticator", SOFT)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def record(out: pathlib.Path) -> None:
    """Make the 5.9.2 database and write ``schema.sql`` and ``passkey.json``.

    :param out: the folder to write into (made when missing).
    :raises AssertionError: a 5.9.2 request did not give what its docs say.
    """
    from flask import Flask
    from flask_security import Security, SQLAlchemyUserDatastore, hash_password
    from flask_security.models import fsqla_v3 as fsqla
    from flask_sqlalchemy import SQLAlchemy

    soft = _soft_authenticator()
    path = pathlib.Path(tempfile.mkdtemp()) / "fs59.db"
    app = Flask("fs59")
    app.config.update(
        SECRET_KEY="fs59-recording",
        SECURITY_PASSWORD_SALT=SALT,
        SECURITY_PASSWORD_HASH="bcrypt",
        SECURITY_WEBAUTHN=True,
        WTF_CSRF_ENABLED=False,
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

    security = Security(app, SQLAlchemyUserDatastore(db, User, Role, WebAuthn))
    with app.app_context():
        db.create_all()
        ds = security.datastore
        user = ds.create_user(email=EMAIL, username=USERNAME, password=hash_password(PASSWORD))
        ds.add_role_to_user(user, ds.create_role(name="admin", permissions=["read", "write"]))
        db.session.commit()
    client = app.test_client()
    auth = soft.SoftAuthenticator()
    r = client.post("/login", json={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 200, r.json
    # 5.9.2 answers credential_options as a JSON object (its openapi.yaml says string)
    start = client.post("/wan-register", json={"name": "laptop", "usage": "first"})
    assert start.status_code == 200, start.json
    body = start.json["response"]
    kinds = {"register": type(body["credential_options"]).__name__}
    credential = auth.create(body["credential_options"])
    r = client.post(f"/wan-register/{body['wan_state']}", json={"credential": credential})
    assert r.status_code == 200, r.json
    client.post("/logout", json={})
    start = client.post("/wan-signin", json={"identity": EMAIL})
    assert start.status_code == 200, start.json
    body = start.json["response"]
    kinds["signin"] = type(body["credential_options"]).__name__
    assertion = auth.get(body["credential_options"])
    r = client.post(f"/wan-signin/{body['wan_state']}", json={"credential": assertion})
    assert r.status_code == 200, r.json
    print("5.9.2 credential_options types:", kinds, file=sys.stderr)
    (key,) = auth.passkeys
    passkey = {
        "version": "Flask-Security 5.9.2",
        "credential_options": kinds,
        "email": EMAIL,
        "password": PASSWORD,
        "password_salt": SALT,
        "username": USERNAME,
        "credential_id": soft.b64url(key.credential_id),
        "user_handle": soft.b64url(key.user_handle),
        "rp_id": key.rp_id,
        "sign_count": key.sign_count,
        "private_key": key.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    }
    out.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        dump = "\n".join(conn.iterdump())
    (out / "schema.sql").write_text(dump + "\n")
    (out / "passkey.json").write_text(json.dumps(passkey, indent=1) + "\n")


if __name__ == "__main__":
    record(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fs59_database"))
