"""/wan-verify (upstream 5.x): a signed-in user makes a stale session fresh again with
a passkey. The challenge is bound to the session and used once, the assertion is
verified as at sign-in, and only the signed-in user's passkeys of a usage
SECURITY_WAN_ALLOW_AS_VERIFY allows count. Time is moved by rewriting the session's
timestamp (no sleeps)."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import User, WebAuthn, add_user, db, login
from fsec_webauthn.testing import JsonFlow, SoftAuthenticator

JSON = {"Accept": "application/json"}


def stale(client: Any) -> None:
    with client.session_transaction() as sess:
        sess["fs_paa"] = time.time() - 25 * 3600
        sess.pop("fs_gexp", None)


def is_fresh(client: Any) -> bool:
    """Whether the session passes the freshness check (/wan-register answers 200)."""
    return client.get("/wan-register", headers=JSON).status_code == 200


@pytest.fixture
def registered(flow: JsonFlow) -> JsonFlow:
    assert flow.register("laptop").status_code == 200
    stale(flow.client)
    assert not is_fresh(flow.client)
    return flow


def test_passkey_makes_the_session_fresh(app: Flask, registered: JsonFlow) -> None:
    start = registered.verify_start().json["response"]
    options = start["credential_options"]
    assert len(options["allowCredentials"]) == 1
    assertion = registered.auth.get(options)
    r = registered.client.post(f"/wan-verify/{start['wan_state']}", json={"credential": assertion})
    assert r.status_code == 200, r.json
    assert r.json["response"]["user"]["authentication_token"]
    assert is_fresh(registered.client)
    with app.app_context():
        row = db.session.execute(db.select(WebAuthn)).scalars().one()
        assert row.sign_count == 1 and row.lastuse_datetime is not None


def test_replayed_challenge_is_refused(registered: JsonFlow) -> None:
    start = registered.verify_start().json["response"]
    assertion = registered.auth.get(start["credential_options"])
    url = f"/wan-verify/{start['wan_state']}"
    assert registered.client.post(url, json={"credential": assertion}).status_code == 200
    stale(registered.client)
    again = registered.client.post(url, json={"credential": assertion})
    assert again.status_code == 400
    assert "already used" in again.json["response"]["errors"]["credential"][0]
    assert not is_fresh(registered.client)


def test_replay_with_an_old_cookie_is_refused(registered: JsonFlow) -> None:
    """A copy of the cookie from before step 2 still holds the nonce: the passkey's
    recorded use (lastuse_datetime, sign count) refuses the second use anyway."""
    client = registered.client
    start = registered.verify_start().json["response"]
    with client.session_transaction() as sess:
        saved = dict(sess)
    assertion = registered.auth.get(start["credential_options"])
    url = f"/wan-verify/{start['wan_state']}"
    assert client.post(url, json={"credential": assertion}).status_code == 200
    with client.session_transaction() as sess:
        sess.clear()
        sess.update(saved)
    stale(client)
    assert client.post(url, json={"credential": assertion}).status_code == 400
    assert not is_fresh(client)


def test_another_users_passkey_is_refused(app: Flask, registered: JsonFlow) -> None:
    joe_auth = SoftAuthenticator(origin="http://localhost")
    joe = app.test_client()
    assert login(joe, "joe@example.com").status_code == 200
    assert JsonFlow(joe, joe_auth).register("joe-key").status_code == 200
    start = registered.verify_start().json["response"]
    options = start["credential_options"]
    assertion = joe_auth.get(options, passkey=joe_auth.passkeys[0])
    r = registered.client.post(f"/wan-verify/{start['wan_state']}", json={"credential": assertion})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["credential"] == [
        "This passkey does not match the account."
    ]
    assert not is_fresh(registered.client)


def test_signin_ceremony_cannot_complete_a_verify(app: Flask, registered: JsonFlow) -> None:
    """A wan_state of purpose "wan-signin" is refused at /wan-verify even with this
    session's nonce and a valid assertion of the signed-in user (purpose bound)."""
    client = registered.client
    start = registered.verify_start().json["response"]
    options = start["credential_options"]
    with client.session_transaction() as sess:
        nonce = sess["fs_wan_nonce"]
    state = app.extensions["security"]
    with app.app_context():
        data = state.serializer("wan").loads(start["wan_state"])["d"][1]
        forged = state.dumps_token("wan", "wan-signin", [nonce, data])
    assertion = registered.auth.get(options)
    r = client.post(f"/wan-verify/{forged}", json={"credential": assertion})
    assert r.status_code == 400
    assert not is_fresh(client)


def test_user_without_a_passkey_is_told(flow: JsonFlow) -> None:
    r = flow.verify_start()
    assert r.status_code == 400
    assert r.json["response"]["errors"]["credential"] == [
        "Passkeys cannot be used to confirm it is you."
    ]


def test_deactivated_user_cannot_verify(app: Flask, registered: JsonFlow) -> None:
    start = registered.verify_start().json["response"]
    assertion = registered.auth.get(start["credential_options"])
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="matt@example.com")).scalar_one()
        user.active = False
        db.session.commit()
    r = registered.client.post(f"/wan-verify/{start['wan_state']}", json={"credential": assertion})
    assert r.status_code == 401  # the session no longer signs anybody in


def test_verify_json_tells_whether_a_passkey_can_verify(app: Flask, flow: JsonFlow) -> None:
    r = flow.client.get("/verify", headers=JSON)
    assert r.json["response"]["has_webauthn_verify_credential"] is False
    assert flow.register("laptop").status_code == 200
    r = flow.client.get("/verify", headers=JSON)
    assert r.json["response"]["has_webauthn_verify_credential"] is True
    page = flow.client.get("/verify?next=/wan-register").get_data(as_text=True)
    assert 'href="/wan-verify?next=/wan-register"' in page


def test_html_flow_goes_back_to_next(registered: JsonFlow) -> None:
    client = registered.client
    # the verify page links here with ?next=...: the page's form carries it on
    html = client.get("/wan-verify?next=/wan-register").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/wan-register"' in html
    page = client.post("/wan-verify", data={"next": "/wan-register"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    options = html.split('id="wan-credential-options">', 1)[1].split("</script>", 1)[0]
    token = html.split('action="/wan-verify/', 1)[1].split('"', 1)[0]
    assert 'name="next" type="hidden" value="/wan-register"' in html
    assertion = registered.auth.get(json.loads(options.replace("\\u0026", "&")))
    r = client.post(
        f"/wan-verify/{token}", data={"credential": assertion, "next": "/wan-register"}
    )
    assert r.status_code == 302 and r.headers["Location"] == "/wan-register"
    assert is_fresh(client)


@pytest.mark.parametrize(
    ("config", "registered_at"),
    [
        ({"SECURITY_WAN_ALLOW_AS_VERIFY": []}, False),
        ({"SECURITY_WAN_ALLOW_AS_VERIFY": None}, False),
        ({"SECURITY_FRESHNESS": datetime.timedelta(minutes=-1)}, False),
        ({"SECURITY_WAN_ALLOW_AS_VERIFY": ["secondary"]}, True),
    ],
)
def test_endpoint_follows_the_settings(make_app: Any, config: dict, registered_at: bool) -> None:
    app = make_app(config)
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert ("security.wan_verify" in endpoints) is registered_at
    assert ("security.wan_verify_response" in endpoints) is registered_at


def test_usage_not_allowed_for_verify_is_not_offered(make_app: Any, authenticator) -> None:
    app = make_app({"SECURITY_WAN_ALLOW_AS_VERIFY": ["secondary"]})
    add_user(app, "matt@example.com")
    client = app.test_client()
    login(client, "matt@example.com")
    flow = JsonFlow(client, authenticator)
    assert flow.register("laptop", usage="first").status_code == 200
    assert flow.verify_start().status_code == 400
    assert client.get("/verify", headers=JSON).json["response"][
        "has_webauthn_verify_credential"
    ] is False
