"""Signing in with a passkey as the first factor through the JSON API: usernameless
and with a hint, the session it makes, and every refusal (replay, clone, another
user's passkey, wrong usage, inactive account)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import User, WebAuthn, db, login
from fsec_webauthn.testing import JsonFlow as Flow
from fsec_webauthn.testing import SoftAuthenticator


@pytest.fixture
def registered(app: Flask, flow: Any) -> Any:
    """matt has the passkey "laptop"; the flow's client is signed out."""
    assert flow.register("laptop").status_code == 200
    flow.client.post("/logout", json={})
    assert flow.client.get("/", headers={"Accept": "application/json"}).status_code == 401
    return flow


def _row(app: Flask) -> Any:
    with app.app_context():
        return db.session.execute(db.select(WebAuthn)).scalars().one()


def _signed_in_as(client: Any) -> str | None:
    response = client.get("/api", headers={"Accept": "application/json"})
    return response.json["email"] if response.status_code == 200 else None


def test_usernameless_signin(app: Flask, registered: Any) -> None:
    start = registered.signin_start().json["response"]
    options = start["credential_options"]
    assert options["allowCredentials"] == []
    assert options["rpId"] == "localhost"
    assert start["is_secondary"] is False
    assertion = registered.auth.get(options)
    response = registered.client.post(
        f"/wan-signin/{start['wan_state']}", json={"credential": assertion}
    )
    assert response.status_code == 200, response.json
    assert response.json["response"]["user"]["authentication_token"]
    assert _signed_in_as(registered.client) == "matt@example.com"
    row = _row(app)
    assert row.sign_count == 1


def test_signin_with_identity_hint_lists_that_users_passkeys(app: Flask, registered: Any) -> None:
    start = registered.signin_start(identity="MATT@example.com").json["response"]
    options = start["credential_options"]
    assert [c["id"] for c in options["allowCredentials"]] == [
        json.loads(registered.auth.get(options))["id"]
    ]
    # an unknown identity gets the same shape of answer (no enumeration by shape)
    unknown = registered.signin_start(identity="nobody@example.com").json["response"]
    assert unknown["credential_options"]["allowCredentials"] == []


def test_signin_sets_a_new_session_and_remember(app: Flask, registered: Any) -> None:
    registered.client.get("/login")
    response = registered.signin(remember=True)
    assert response.status_code == 200
    cookies = {c.key for c in registered.client._cookies.values()}
    assert "remember_token" in cookies


def test_replayed_assertion_is_refused_even_with_the_old_session_cookie(
    app: Flask, registered: Any
) -> None:
    client = registered.client
    start = registered.signin_start().json["response"]
    assertion = registered.auth.get(start["credential_options"])
    saved = client.get_cookie("session").value
    first = client.post(f"/wan-signin/{start['wan_state']}", json={"credential": assertion})
    assert first.status_code == 200
    # a second browser replays the captured request: same cookie, token and answer
    attacker = app.test_client()
    attacker.set_cookie("session", saved, domain="localhost")
    again = attacker.post(f"/wan-signin/{start['wan_state']}", json={"credential": assertion})
    assert again.status_code == 400
    assert _signed_in_as(attacker) is None


def test_replay_refused_for_a_passkey_without_counter(app: Flask, make_app: Any) -> None:
    """Synced passkeys report sign count 0 forever: the database still makes each
    challenge single-use (challenge issued before the last use is stale)."""
    from flask_security.testing.app import add_user

    add_user(app, "ann@example.com")
    client = app.test_client()
    login(client, "ann@example.com")
    flow = Flow(client, SoftAuthenticator(counter_step=0, backup_eligible=True))
    assert flow.register("synced").status_code == 200
    client.post("/logout", json={})
    start = flow.signin_start().json["response"]
    assertion = flow.auth.get(start["credential_options"])
    saved = client.get_cookie("session").value
    assert (
        client.post(f"/wan-signin/{start['wan_state']}", json={"credential": assertion}).status_code
        == 200
    )
    attacker = app.test_client()
    attacker.set_cookie("session", saved, domain="localhost")
    again = attacker.post(f"/wan-signin/{start['wan_state']}", json={"credential": assertion})
    assert again.status_code == 400
    with app.app_context():
        row = db.session.execute(db.select(WebAuthn)).scalars().one()
        assert (row.sign_count, row.backup_state, row.device_type) == (0, True, "multi_device")


def test_cloned_authenticator_is_refused(app: Flask, registered: Any) -> None:
    clone = registered.auth.clone()
    assert registered.signin().status_code == 200  # the real one: count 1
    registered.client.post("/logout", json={})
    thief = app.test_client()

    response = Flow(thief, clone).signin()  # the clone also says 1
    assert response.status_code == 400
    assert "credential" in response.json["response"]["errors"]
    assert _signed_in_as(thief) is None
    assert _row(app).sign_count == 1


def test_another_users_passkey_cannot_complete_a_hinted_signin(app: Flask, registered: Any) -> None:

    joe = app.test_client()
    login(joe, "joe@example.com")
    joe_flow = Flow(joe, SoftAuthenticator())
    assert joe_flow.register("joe-key").status_code == 200
    joe.post("/logout", json={})
    # a sign-in started for matt, answered with joe's passkey
    start = registered.signin_start(identity="matt@example.com").json["response"]
    options = start["credential_options"]
    options["allowCredentials"] = []
    assertion = joe_flow.auth.get(options)
    response = registered.client.post(
        f"/wan-signin/{start['wan_state']}", json={"credential": assertion}
    )
    assert response.status_code == 400
    assert _signed_in_as(registered.client) is None


def test_user_handle_must_match_the_passkeys_owner(app: Flask, registered: Any) -> None:
    with app.app_context():
        joe = db.session.execute(db.select(User).filter_by(email="joe@example.com")).scalar_one()
        joe.fs_webauthn_user_handle = "j" * 32
        db.session.commit()
    response = registered.signin(get={"user_handle": b"j" * 32})
    assert response.status_code == 400
    assert _signed_in_as(registered.client) is None


def test_unknown_credential_wrong_origin_and_tampering(app: Flask, registered: Any) -> None:
    stranger = SoftAuthenticator()
    stranger.passkeys = []
    start = registered.signin_start().json["response"]
    options = start["credential_options"]
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": "eA"}, "challenge": "AA"})
    response = registered.client.post(
        f"/wan-signin/{start['wan_state']}", json={"credential": stranger.get(options)}
    )
    assert response.status_code == 400
    response = registered.signin(get={"origin": "https://evil.example"})
    assert response.status_code == 400
    start = registered.signin_start().json["response"]
    forged = json.loads(registered.auth.get(start["credential_options"]))
    forged["response"]["signature"] = forged["response"]["signature"][:-4] + "AAAA"
    response = registered.client.post(
        f"/wan-signin/{start['wan_state']}", json={"credential": json.dumps(forged)}
    )
    assert response.status_code == 400
    assert _signed_in_as(registered.client) is None
    for garbage in ("", "{", "null", '{"id": "x"}', "[1]"):
        start = registered.signin_start().json["response"]
        response = registered.client.post(
            f"/wan-signin/{start['wan_state']}", json={"credential": garbage}
        )
        assert response.status_code == 400, garbage


def test_expired_state_is_refused(app: Flask, make_app: Any, registered: Any) -> None:
    import datetime

    app.config["SECURITY_WAN_SIGNIN_WITHIN"] = datetime.timedelta(seconds=-1)
    response = registered.signin()
    assert response.status_code == 400
    assert "credential" in response.json["response"]["errors"]


def test_inactive_account_is_refused(app: Flask, registered: Any) -> None:
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="matt@example.com")).scalar_one()
        user.active = False
        db.session.commit()
    response = registered.signin()
    assert response.status_code == 400
    assert _signed_in_as(registered.client) is None


def test_secondary_passkey_is_not_a_first_factor(make_app: Any) -> None:
    from flask_security.testing.app import add_user

    app = make_app()
    add_user(app, "matt@example.com")
    client = app.test_client()
    login(client, "matt@example.com")
    flow = Flow(client, SoftAuthenticator())
    assert flow.register("k").status_code == 200
    with app.app_context():
        row = db.session.execute(db.select(WebAuthn)).scalars().one()
        row.usage = "secondary"
        db.session.commit()
    client.post("/logout", json={})
    response = flow.signin()
    assert response.status_code == 400
    assert _signed_in_as(client) is None


def test_html_pages_render(app: Flask, registered: Any) -> None:
    page = registered.client.get("/wan-signin")
    assert page.status_code == 200
    assert b"Sign in with a passkey" in page.data
    assert b"/fs-static/webauthn.js" in page.data
    step = registered.client.post("/wan-signin", data={"identity": ""})
    assert step.status_code == 200
    assert b'data-wan-ceremony="get"' in step.data
    script = registered.client.get("/wan-static/webauthn.js")
    assert script.status_code == 200
    assert script.mimetype == "text/javascript"
    assert b"navigator.credentials.get" in script.data
    login_page = registered.client.get("/login")
    assert b'href="/wan-signin"' in login_page.data


def test_next_is_carried_from_the_login_page_to_the_passkey_page(app: Flask) -> None:
    """/profile sends to /login?next=/profile; its "Sign in with a passkey" link and the
    passkey page's form keep that next (and the way back to the password form too)."""
    client = app.test_client()
    login = client.get("/login?next=/profile").get_data(as_text=True)
    assert 'href="/wan-signin?next=/profile"' in login
    page = client.get("/wan-signin?next=/profile").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/profile"' in page
    assert 'href="/login?next=/profile"' in page
