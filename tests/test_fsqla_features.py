"""fsec's features on upstream 5.x's packaged models (``flask_security.models.fsqla_v3``,
declared with ``pass``): two-factor with an authenticator app and recovery codes,
login tracking and confirmation store what they store in the packaged columns, read
back with plain SQL (recovery codes as ``AsaList`` text), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_security import Security, SQLAlchemyUserDatastore, hash_password
from flask_security.models import fsqla_v3 as fsqla
from flask_security.testing.app import TEST_CONFIG, add_test_routes
from flask_sqlalchemy import SQLAlchemy

FEATURES = {
    "SECURITY_TWO_FACTOR": True,
    "SECURITY_TOTP_SECRETS": {"1": "fsec-fsqla-totp-secret-with-enough-entropy-0123"},
    "SECURITY_TOTP_ISSUER": "fsqla",
    "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
    "SECURITY_MULTI_FACTOR_RECOVERY_CODES": True,
    "SECURITY_TRACKABLE": True,
    "SECURITY_CONFIRMABLE": True,
    "SECURITY_EXTERNAL_BASE_URL": "http://localhost",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    url = "sqlite://"
    if request.param == "postgresql":
        server = request.getfixturevalue("fsec_postgres")
        server.create_database("fsec_fsqla_features")
        url = server.url("fsec_fsqla_features")
    db = SQLAlchemy()
    fsqla.FsModels.set_db_info(db)

    class Role(db.Model, fsqla.FsRoleMixin):  # type: ignore[name-defined,misc]
        pass

    class User(db.Model, fsqla.FsUserMixin):  # type: ignore[name-defined,misc]
        pass

    app = Flask("fsec_fsqla_features")
    app.config.update(TEST_CONFIG, SQLALCHEMY_DATABASE_URI=url, **FEATURES)
    db.init_app(app)
    try:
        Security(app, SQLAlchemyUserDatastore(db, User, Role))
        add_test_routes(app)
        with app.app_context():
            db.drop_all()
            db.create_all()
            ds = app.extensions["security"].datastore
            ds.create_user(email="alice@example.com", password=hash_password("password"))
            ds.commit()
        app.fsqla_db = db  # type: ignore[attr-defined]
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _row(app: Flask) -> Any:
    with app.app_context():
        sql = sa.text("""SELECT * FROM "user" WHERE email = 'alice@example.com'""")
        return app.fsqla_db.session.execute(sql).mappings().one()  # type: ignore[attr-defined]


def _login(client: Any) -> Any:
    return client.post("/login", json={"email": "alice@example.com", "password": "password"})


def test_two_factor_recovery_codes_tracking_and_confirmation(app: Flask) -> None:
    client = app.test_client()
    r = _login(client)
    assert r.status_code == 400  # not confirmed yet (CONFIRMABLE)
    with app.app_context():
        from flask_security.confirmable import confirm_user

        ds = app.extensions["security"].datastore
        assert confirm_user(ds.find_user(email="alice@example.com")) is True
        ds.commit()
    assert _row(app)["confirmed_at"] is not None

    assert _login(client).status_code == 200
    r = client.post("/tf-setup", json={"setup": "authenticator"})
    body = r.get_json()["response"]
    otp = pyotp.TOTP(body["tf_authr_b32key"])
    r = client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": otp.now()})
    assert r.status_code == 200, r.get_json()
    codes = client.post("/mf-recovery-codes", json={}).get_json()["response"]["recovery_codes"]
    assert len(codes) == 5
    row = _row(app)
    assert row["tf_primary_method"] == "authenticator" and row["tf_totp_secret"]
    stored = row["mf_recovery_codes"].split(",")  # AsaList: comma-separated text
    assert len(stored) == 5 and not any(c in row["mf_recovery_codes"] for c in codes)
    client.post("/logout", json={})

    # password, then the second factor: an authenticator code, then a recovery code
    other = app.test_client()
    r = _login(other)
    assert r.status_code == 200 and r.get_json()["response"]["tf_required"] is True
    code = otp.at(time.time() + otp.interval)
    assert other.post("/tf-validate", json={"code": code}).status_code == 200
    third = app.test_client()
    assert _login(third).get_json()["response"]["tf_required"] is True
    assert third.post("/mf-recovery", json={"code": codes[0]}).status_code == 200
    assert third.get("/").status_code == 200
    row = _row(app)
    assert len(row["mf_recovery_codes"].split(",")) == 4
    assert row["login_count"] == 3 and row["current_login_at"] is not None
    assert row["current_login_ip"] and row["last_login_at"] is not None
