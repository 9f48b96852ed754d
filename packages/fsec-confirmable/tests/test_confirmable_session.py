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


def _victim(app: Any) -> Any:
    """A client signed in as a confirmed victim."""
    from datetime import datetime

    from flask_security.testing.app import add_user

    add_user(app, "victim@example.com", "password", confirmed_at=datetime(2026, 1, 1))
    client = app.test_client()
    r = client.post("/login", json={"email": "victim@example.com", "password": "password"})
    assert r.status_code == 200
    return client


def test_link_of_another_account_never_switches_the_signed_in_user(
    app: Any, outbox: list[Any], link_in: Any, user_row: Any
) -> None:
    # Issue 15 item 4: the attacker registers and embeds their own unused link in a
    # page; the signed-in victim's browser opens it.
    path = _register(app, outbox, link_in, "attacker@example.com")
    victim = _victim(app)
    r = victim.get(path)
    assert r.status_code == 302
    # The confirmation happened...
    assert user_row(app, "attacker@example.com").confirmed_at is not None
    # ...the sign-in did not: the victim is still the victim...
    assert victim.get("/").get_data(as_text=True) == "Hello victim@example.com"
    # ...and the page says why.
    with victim.session_transaction() as sess:
        messages = [text for _category, text in sess.get("_flashes", [])]
    assert any("You are signed in as victim@example.com" in m for m in messages), messages


def test_link_of_another_account_json_gives_no_token(
    app: Any, outbox: list[Any], link_in: Any
) -> None:
    path = _register(app, outbox, link_in, "attacker@example.com")
    victim = _victim(app)
    r = victim.get(path, headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert "authentication_token" not in r.json["response"]["user"]
    me = victim.get("/login", headers={"Accept": "application/json"}).json["response"]["user"]
    assert me["id"] != r.json["response"]["user"]["id"]


def test_own_link_while_signed_in_keeps_the_session(
    app: Any, outbox: list[Any], link_in: Any
) -> None:
    # Confirming one's own address while signed in (LOGIN_WITHOUT_CONFIRMATION) is
    # not a switch: the user stays signed in.
    app.config["SECURITY_LOGIN_WITHOUT_CONFIRMATION"] = True
    client = app.test_client()
    r = client.post("/register", json={"email": "me@example.com", "password": PASSWORD})
    assert r.status_code == 200
    r = client.get(link_in(outbox[-1]))
    assert r.status_code == 302
    assert client.get("/").get_data(as_text=True) == "Hello me@example.com"
