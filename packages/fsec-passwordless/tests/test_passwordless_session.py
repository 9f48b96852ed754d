"""A passwordless sign-in starts a fresh session (issue 15 item 5)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_security.testing.session import assert_fresh_session, plant_session


def test_passwordless_login_regenerates_the_session(app: Flask, request_token: Any) -> None:
    token = request_token(app)
    client = app.test_client()
    planted = plant_session(client)
    r = client.get(f"/login/{token}")
    assert r.status_code == 302
    assert_fresh_session(client, planted)
