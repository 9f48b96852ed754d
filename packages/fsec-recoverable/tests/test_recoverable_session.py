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


def test_reset_link_of_another_account_never_switches_the_signed_in_user(app: Flask) -> None:
    # Issue 15 item 4: a reset link (which signs in) opened by a signed-in victim.
    from flask_security.testing.app import add_user
    from flask_security.utils import verify_password

    add_user(app, "victim@example.com", "password")
    with capture_reset_password_requests() as requests:
        app.test_client().post("/reset", json={"email": "alice@example.com"})
    token = requests[0]["token"]
    victim: Any = app.test_client()
    assert (
        victim.post(
            "/login", json={"email": "victim@example.com", "password": "password"}
        ).status_code
        == 200
    )
    r = victim.post(
        f"/reset/{token}", data={"password": "new-secret", "password_confirm": "new-secret"}
    )
    assert r.status_code == 302
    assert victim.get("/").get_data(as_text=True) == "Hello victim@example.com"
    with victim.session_transaction() as sess:
        messages = [text for _category, text in sess.get("_flashes", [])]
    assert "You are already signed in." in messages
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email="alice@example.com")
        assert verify_password("password", user.password)
