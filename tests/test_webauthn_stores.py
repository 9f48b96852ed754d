"""Passkeys end to end on every store: register, list, sign in (usernameless), the
sign counter stored, a replayed assertion refused, delete, and a deleted user's
passkeys gone, through the views, on Flask-SQLAlchemy, a plain SQLAlchemy session,
MongoEngine (mongomock), peewee and Pony (SQLite)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_security.utils import hash_password
from fsec_webauthn.testing import JsonFlow, SoftAuthenticator

CONFIG = {"SECURITY_WEBAUTHN": True}


def _sqlalchemy() -> Flask:
    from flask_security.testing.app import create_app

    return create_app(CONFIG)


def _sqlalchemy_session() -> Flask:
    from flask_security.testing.app import create_app
    from fsec_store_sqlalchemy import SQLAlchemySessionUserDatastore

    def session_datastore(db: Any, *models: type) -> Any:
        # the plain-session datastore over Flask-SQLAlchemy's scoped session
        return SQLAlchemySessionUserDatastore(db.session, *models)

    return create_app(CONFIG, datastore_class=session_datastore)  # type: ignore[arg-type]


def _peewee() -> Flask:
    from fsec_store_peewee.testing import create_app

    return create_app(CONFIG)


def _pony() -> Flask:
    from fsec_store_pony.testing import create_app

    return create_app(CONFIG)


def _mongo() -> Flask:
    pytest.importorskip("mongomock")
    from fsec_store_mongo.testing import connect, create_app

    connect("fsec_webauthn_stores")
    return create_app(CONFIG)


STORES: dict[str, Callable[[], Flask]] = {
    "sqlalchemy": _sqlalchemy,
    "sqlalchemy-session": _sqlalchemy_session,
    "mongo": _mongo,
    "peewee": _peewee,
    "pony": _pony,
}


@pytest.fixture(params=sorted(STORES))
def store_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    app = STORES[request.param]()
    with app.app_context():
        ds = app.extensions["security"].datastore
        for email in ("matt@example.com", "joe@example.com"):
            ds.create_user(email=email, password=hash_password("password"))
        ds.commit()
    yield app
    if request.param == "mongo":
        import mongoengine

        mongoengine.disconnect()


def _signed_in(client: Any) -> bool:
    return client.get("/", headers={"Accept": "application/json"}).status_code == 200


def _stored(app: Flask, email: str) -> list[tuple[str, int]]:
    with app.app_context():
        ds = app.extensions["security"].datastore
        user = ds.find_user(email=email)
        rows = ds.find_models(ds.webauthn_model, user=user)
        return [(r.name, r.sign_count) for r in rows]


def test_passkeys_through_the_views(store_app: Flask) -> None:
    client = store_app.test_client()
    login = {"email": "matt@example.com", "password": "password"}
    assert client.post("/login", json=login).status_code == 200
    flow = JsonFlow(client, SoftAuthenticator())
    assert flow.register("one").status_code == 200
    assert flow.register("two", auth=SoftAuthenticator()).status_code == 200
    listed = client.get("/wan-register", headers={"Accept": "application/json"})
    assert [c["name"] for c in listed.json["response"]["registered_credentials"]] == ["one", "two"]
    client.post("/logout", json={})
    assert not _signed_in(client)

    start = flow.signin_start().json["response"]
    assertion = flow.auth.get(start["credential_options"])
    saved = client.get_cookie("session").value
    done = client.post(f"/wan-signin/{start['wan_state']}", json={"credential": assertion})
    assert done.status_code == 200, done.json
    assert _signed_in(client)
    assert _stored(store_app, "matt@example.com") == [("one", 1), ("two", 0)]
    replay = store_app.test_client()
    replay.set_cookie("session", saved, domain="localhost")
    again = replay.post(f"/wan-signin/{start['wan_state']}", json={"credential": assertion})
    assert again.status_code == 400 and not _signed_in(replay)

    assert client.post("/wan-delete", json={"name": "one"}).status_code == 200
    assert _stored(store_app, "matt@example.com") == [("two", 0)]
    with store_app.app_context():
        ds = store_app.extensions["security"].datastore
        user = ds.find_user(email="matt@example.com")
        assert [c.name for c in user.webauthn] == ["two"]
        ds.delete_user(user)
        ds.commit()
        assert ds.find_models(ds.webauthn_model) == []
