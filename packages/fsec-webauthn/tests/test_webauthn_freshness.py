"""Freshness on the passkey management views (upstream 5.x): /wan-register (both
steps) and /wan-delete refuse a signed-in user whose last authentication is older
than SECURITY_FRESHNESS; /verify makes the session fresh again. Time is moved by
rewriting the session's timestamp (no sleeps)."""

from __future__ import annotations

import datetime
import time
from typing import Any

from flask import Flask
from flask_security.testing.app import WebAuthn, db

JSON = {"Accept": "application/json"}


def stale(client: Any, minutes: float = 25 * 60) -> None:
    with client.session_transaction() as sess:
        sess["fs_paa"] = time.time() - minutes * 60
        sess.pop("fs_gexp", None)


def _rows(app: Flask) -> list[str]:
    with app.app_context():
        return [c.name for c in db.session.execute(db.select(WebAuthn)).scalars()]


def test_stale_session_cannot_start_registering(app: Flask, flow: Any) -> None:
    stale(flow.client)
    r = flow.client.post("/wan-register", json={"name": "laptop", "usage": "first"})
    assert r.status_code == 401 and r.json["response"]["reauth_required"] is True
    page = flow.client.get("/wan-register")
    assert page.status_code == 302
    assert page.headers["Location"] == "/verify?next=%2Fwan-register"
    assert _rows(app) == []


def test_stale_session_cannot_finish_a_registration(app: Flask, flow: Any) -> None:
    start = flow.register_start("laptop").json["response"]
    stale(flow.client)
    credential = flow.auth.create(start["credential_options"])
    r = flow.client.post(f"/wan-register/{start['wan_state']}", json={"credential": credential})
    assert r.status_code == 401 and r.json["response"]["reauth_required"] is True
    assert _rows(app) == []


def test_stale_session_cannot_delete_and_verify_restores(app: Flask, flow: Any) -> None:
    assert flow.register("laptop").status_code == 200
    stale(flow.client)
    r = flow.client.post("/wan-delete", json={"name": "laptop"})
    assert r.status_code == 401 and r.json["response"]["reauth_required"] is True
    assert _rows(app) == ["laptop"]
    assert flow.client.post("/verify", json={"password": "password"}).status_code == 200
    assert flow.client.post("/wan-delete", json={"name": "laptop"}).status_code == 200
    assert _rows(app) == []


def test_negative_freshness_leaves_registration_unchecked(make_app: Any, authenticator) -> None:
    from flask_security.testing.app import add_user, login
    from fsec_webauthn.testing import JsonFlow

    app = make_app({"SECURITY_FRESHNESS": datetime.timedelta(minutes=-1)})
    add_user(app, "matt@example.com")
    client = app.test_client()
    login(client, "matt@example.com")
    stale(client)
    assert JsonFlow(client, authenticator).register("laptop").status_code == 200
    assert _rows(app) == ["laptop"]
