"""A reset that signs the user in starts a fresh session (issue 15 item 5)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_security.testing.session import assert_fresh_session, plant_session
from flask_security.utils import capture_reset_password_requests


def test_reset_login_regenerates_the_session(app: Flask) -> None:
    with capture_reset_password_requests() as requests:
        assert (
            app.test_client().post("/reset", json={"email": "alice@example.com"}).status_code == 200
        )
    token = requests[0]["token"]
    client: Any = app.test_client()
    planted = plant_session(client)
    r = client.post(
        f"/reset/{token}", data={"password": "new-secret", "password_confirm": "new-secret"}
    )
    assert r.status_code == 302
    assert_fresh_session(client, planted)
