"""Two-factor on the four store plugins' test apps: setup with a pyotp code, login
with the next code, a replayed code refused, a recovery code used once. (The datastore contract's
``test_compare_and_set_consumes_two_factor_state`` checks the conditional write
itself on SQLAlchemy, its session variant, MongoEngine, peewee and Pony, on SQLite
and PostgreSQL.)"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from flask import Flask

SECRETS = {"1": "fsec-stores-totp-secret-with-enough-entropy-321"}
CONFIG = {
    "SECURITY_TWO_FACTOR": True,
    "SECURITY_TOTP_SECRETS": SECRETS,
    "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
    "SECURITY_MULTI_FACTOR_RECOVERY_CODES": True,
}


def _sqlalchemy() -> Flask:
    from flask_security.testing.app import create_app

    return create_app(CONFIG)


_CONNECTED: list[str] = []


def _mongo() -> Flask:
    pytest.importorskip("mongomock")
    from fsec_store_mongo.testing import connect, create_app
    from mongoengine.connection import ConnectionFailure, get_connection

    try:
        get_connection()  # another test module's connection: reuse it
    except ConnectionFailure:
        connect("fsec_two_factor_test")
        _CONNECTED.append("mongo")  # ours: disconnected after the test
    return create_app(CONFIG)


def _peewee() -> Flask:
    from fsec_store_peewee.testing import create_app

    return create_app(CONFIG)


def _pony() -> Flask:
    from fsec_store_pony.testing import create_app

    return create_app(CONFIG)


STORES: dict[str, Callable[[], Flask]] = {
    "sqlalchemy": _sqlalchemy,
    "mongo": _mongo,
    "peewee": _peewee,
    "pony": _pony,
}


@pytest.fixture
def mongo_cleanup() -> Any:
    yield
    if _CONNECTED:
        import mongoengine

        mongoengine.disconnect()
        _CONNECTED.clear()


@pytest.mark.parametrize("store", sorted(STORES))
def test_two_factor_on_every_store(store: str, mongo_cleanup: Any) -> None:
    pytest.importorskip(f"fsec_store_{store}")
    app = STORES[store]()
    with app.app_context():
        from flask_security.utils import hash_password

        ds = app.extensions["security"].datastore
        ds.create_user(email="eve@example.com", password=hash_password("password"), active=True)
        ds.commit()

    def login(client: Any) -> Any:
        return client.post("/login", json={"email": "eve@example.com", "password": "password"})

    client = app.test_client()
    assert login(client).status_code == 200
    body = client.post("/tf-setup", json={"setup": "authenticator"}).get_json()["response"]
    otp = pyotp.TOTP(body["tf_authr_b32key"])
    r = client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": otp.now()})
    assert r.status_code == 200, r.get_json()
    codes = client.post("/mf-recovery-codes", json={}).get_json()["response"]["recovery_codes"]
    client.post("/logout", json={})

    next_code = otp.at(time.time() + 30)
    first = app.test_client()
    assert login(first).get_json()["response"]["tf_required"] is True
    assert first.get("/").status_code == 302
    assert first.post("/tf-validate", json={"code": next_code}).status_code == 200
    assert first.get("/").status_code == 200
    second = app.test_client()
    login(second)
    assert second.post("/tf-validate", json={"code": next_code}).status_code == 400
    assert second.post("/mf-recovery", json={"code": codes[0]}).status_code == 200
    third = app.test_client()
    login(third)
    assert third.post("/mf-recovery", json={"code": codes[0]}).status_code == 400
    assert third.post("/mf-recovery", json={"code": codes[1]}).status_code == 200
