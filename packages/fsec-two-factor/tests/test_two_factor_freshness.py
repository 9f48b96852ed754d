"""Freshness on /tf-setup and /mf-recovery-codes (upstream 5.x): a signed-in user
whose last authentication is older than SECURITY_FRESHNESS must verify first; the
setup a pending login requires is not affected. Time is moved by rewriting the
session's timestamp (no sleeps)."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from flask import Flask

JSON = {"Accept": "application/json"}


def stale(client: Any) -> None:
    with client.session_transaction() as sess:
        sess["fs_paa"] = time.time() - 25 * 3600
        sess.pop("fs_gexp", None)


def test_stale_session_cannot_change_the_second_factor(app: Flask, tf: Any) -> None:
    client = app.test_client()
    assert tf.login(client).status_code == 200
    stale(client)
    r = client.post("/tf-setup", json={"setup": "authenticator"})
    assert r.status_code == 401 and r.json["response"]["reauth_required"] is True
    page = client.get("/tf-setup")
    assert page.status_code == 302 and page.headers["Location"] == "/verify?next=%2Ftf-setup"
    assert client.post("/verify", json={"password": "password"}).status_code == 200
    r = client.post("/tf-setup", json={"setup": "authenticator"})
    assert r.status_code == 200
    body = r.json["response"]
    otp = pyotp.TOTP(body["tf_authr_b32key"])
    stale(client)  # went stale between the two steps: the confirmation is refused too
    r = client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": otp.now()})
    assert r.status_code == 401
    assert tf.stored_user(app).tf_primary_method is None


def test_stale_session_cannot_make_recovery_codes(app: Flask, tf: Any) -> None:
    otp = tf.setup_authenticator(app.test_client())
    client = app.test_client()
    tf.login(client)
    assert client.post("/tf-validate", json={"code": tf.code_at(otp, 1)}).status_code == 200
    stale(client)
    r = client.post("/mf-recovery-codes", json={})
    assert r.status_code == 401 and r.json["response"]["reauth_required"] is True
    assert not tf.stored_user(app).mf_recovery_codes
    assert client.post("/verify", json={"password": "password"}).status_code == 200
    r = client.post("/mf-recovery-codes", json={})
    assert r.status_code == 200 and len(r.json["response"]["recovery_codes"]) == 5
