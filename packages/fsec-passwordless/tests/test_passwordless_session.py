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


def test_link_of_another_account_never_switches_the_signed_in_user(
    make_app: Any, request_token: Any
) -> None:
    # Issue 15 item 4: an attacker's own login link opened by a signed-in victim.
    from flask_security.testing.app import add_user

    app = make_app()
    add_user(app, "attacker@example.com", "password")
    add_user(app, "victim@example.com", "password")
    token = request_token(app, "attacker@example.com")
    victim = app.test_client()
    assert victim.get(f"/login/{request_token(app, 'victim@example.com')}").status_code == 302
    r = victim.get(f"/login/{token}")
    assert r.status_code == 302
    assert victim.get("/").get_data(as_text=True) == "Hello victim@example.com"
    with victim.session_transaction() as sess:
        messages = [text for _category, text in sess.get("_flashes", [])]
    assert "You are already signed in." in messages
    # The attacker's link was not used up by the victim's browser.
    other = app.test_client()
    assert other.get(f"/login/{token}").status_code == 302
    assert other.get("/").get_data(as_text=True) == "Hello attacker@example.com"
