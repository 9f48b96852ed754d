"""Confirmation links: a fresh session at sign-in (issue 15 item 5), and never a
switch of the signed-in user (item 4)."""

from __future__ import annotations

from typing import Any

from flask_security.testing.session import assert_fresh_session, plant_session

PASSWORD = "a-new-password"


def _register(app: Any, outbox: list[Any], link_in: Any, email: str) -> str:
    r = app.test_client().post("/register", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200
    return str(link_in(outbox[-1]))


def test_confirm_login_regenerates_the_session(app: Any, outbox: list[Any], link_in: Any) -> None:
    path = _register(app, outbox, link_in, "new@example.com")
    client = app.test_client()
    planted = plant_session(client)
    r = client.get(path)
    assert r.status_code == 302
    assert_fresh_session(client, planted)
