"""Registration that signs the user in starts a fresh session (issue 15 item 5)."""

from __future__ import annotations

from typing import Any

from flask_security.testing.session import assert_fresh_session, plant_session


def test_register_login_regenerates_the_session(client: Any) -> None:
    planted = plant_session(client)
    r = client.post("/register", json={"email": "new@example.com", "password": "a-new-password"})
    assert r.status_code == 200
    assert r.json["response"]["user"]["authentication_token"]
    assert_fresh_session(client, planted)
