"""Passkeys on core's multi-step login seam with fsec-two-factor: a passkey first
factor still gets the user's second step; a passkey that verified the user is both
factors (SECURITY_WAN_ALLOW_AS_MULTI_FACTOR); a "secondary" passkey is a second
factor after the password (tf_method "webauthn") and may answer the code step; a
pending login is no login, and another user's passkey never completes it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

pytest.importorskip("fsec_two_factor")
pyotp = pytest.importorskip("pyotp")

from flask_security.testing.app import add_user, login  # noqa: E402
from fsec_webauthn.testing import JsonFlow, SoftAuthenticator  # noqa: E402

BASE: dict[str, Any] = {
    "SECURITY_WEBAUTHN": True,
    "SECURITY_TWO_FACTOR": True,
    "SECURITY_TOTP_SECRETS": {"1": "fsec-test-totp-secret-one-with-enough-entropy-123"},
    "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator", "email"],
}
JSON = {"Accept": "application/json"}


@pytest.fixture
def tf_app(make_app: Any) -> Flask:
    app = make_app(BASE)
    add_user(app, "matt@example.com")
    add_user(app, "joe@example.com")
    return app


def _signed_in(client: Any) -> bool:
    return client.get("/api", headers=JSON).status_code == 200


def _setup_totp(client: Any) -> Any:
    r = client.post("/tf-setup", json={"setup": "authenticator"})
    assert r.status_code == 200, r.json
    body = r.json["response"]
    otp = pyotp.TOTP(body["tf_authr_b32key"])
    assert (
        client.post(f"/tf-setup/{body['tf_state_token']}", json={"code": otp.now()}).status_code
        == 200
    )
    return otp


def _flow(app: Flask, email: str, auth: SoftAuthenticator) -> JsonFlow:
    client = app.test_client()
    assert login(client, email).status_code == 200
    return JsonFlow(client, auth)


def test_passkey_without_user_verification_gets_the_two_factor_step(tf_app: Flask) -> None:
    flow = _flow(tf_app, "matt@example.com", SoftAuthenticator(user_verified=False))
    otp = _setup_totp(flow.client)
    assert flow.register("laptop").status_code == 200
    flow.client.post("/logout", json={})
    response = flow.signin()
    assert response.status_code == 200
    body = response.json["response"]
    assert body["tf_required"] is True and body["tf_state"] == "ready"
    assert body["tf_method"] == "authenticator"
    assert "user" not in body
    assert not _signed_in(flow.client)  # pending: no login for any decorator
    import time

    code = otp.at(time.time() + 30)
    done = flow.client.post("/tf-validate", json={"code": code})
    assert done.status_code == 200, done.json
    assert _signed_in(flow.client)


def test_passkey_that_verified_the_user_is_both_factors(tf_app: Flask) -> None:
    flow = _flow(tf_app, "matt@example.com", SoftAuthenticator(user_verified=True))
    _setup_totp(flow.client)
    assert flow.register("laptop").status_code == 200
    flow.client.post("/logout", json={})
    response = flow.signin()
    assert response.status_code == 200, response.json
    assert response.json["response"]["user"]["authentication_token"]
    assert _signed_in(flow.client)


def test_multi_factor_off_keeps_the_code_step(make_app: Any) -> None:
    app = make_app({**BASE, "SECURITY_WAN_ALLOW_AS_MULTI_FACTOR": False})
    add_user(app, "matt@example.com")
    flow = _flow(app, "matt@example.com", SoftAuthenticator(user_verified=True))
    _setup_totp(flow.client)
    assert flow.register("laptop").status_code == 200
    flow.client.post("/logout", json={})
    response = flow.signin()
    assert response.json["response"]["tf_required"] is True
    assert not _signed_in(flow.client)


def test_secondary_passkey_is_the_second_factor_after_the_password(tf_app: Flask) -> None:
    auth = SoftAuthenticator(user_verified=False)
    flow = _flow(tf_app, "matt@example.com", auth)
    assert flow.register("yubikey", usage="secondary").status_code == 200
    flow.client.post("/logout", json={})
    first = login(flow.client, "matt@example.com")
    assert first.status_code == 200
    body = first.json["response"]
    assert (body["tf_required"], body["tf_method"]) == (True, "webauthn")
    assert body["tf_signin_url"] == "/wan-signin"
    assert not _signed_in(flow.client)
    start = flow.signin_start().json["response"]
    assert start["is_secondary"] is True
    options = start["credential_options"]
    assert len(options["allowCredentials"]) == 1
    assertion = auth.get(options)
    done = flow.client.post(f"/wan-signin/{start['wan_state']}", json={"credential": assertion})
    assert done.status_code == 200, done.json
    assert done.json["response"]["user"]["authentication_token"]
    assert _signed_in(flow.client)


def test_secondary_passkey_answers_the_code_step_too(tf_app: Flask) -> None:
    auth = SoftAuthenticator(user_verified=False)
    flow = _flow(tf_app, "matt@example.com", auth)
    _setup_totp(flow.client)
    assert flow.register("yubikey", usage="secondary").status_code == 200
    flow.client.post("/logout", json={})
    body = login(flow.client, "matt@example.com").json["response"]
    assert body["tf_method"] == "authenticator"
    response = flow.signin()
    assert response.status_code == 200, response.json
    assert _signed_in(flow.client)


def test_a_secondary_passkey_is_no_first_factor(tf_app: Flask) -> None:
    auth = SoftAuthenticator()
    flow = _flow(tf_app, "matt@example.com", auth)
    assert flow.register("yubikey", usage="secondary").status_code == 200
    flow.client.post("/logout", json={})
    response = flow.signin()
    assert response.status_code == 400
    assert not _signed_in(flow.client)


def test_another_users_passkey_never_completes_a_pending_login(tf_app: Flask) -> None:
    joe = _flow(tf_app, "joe@example.com", SoftAuthenticator(user_verified=False))
    assert joe.register("joe-key", usage="secondary").status_code == 200
    matt = _flow(tf_app, "matt@example.com", SoftAuthenticator(user_verified=False))
    assert matt.register("matt-key", usage="secondary").status_code == 200
    matt.client.post("/logout", json={})
    assert login(matt.client, "matt@example.com").json["response"]["tf_method"] == "webauthn"
    start = matt.signin_start().json["response"]
    options = start["credential_options"]
    options["allowCredentials"] = []  # a client ignoring the list
    stolen = joe.auth.get(options, passkey=joe.auth.passkeys[0])
    response = matt.client.post(f"/wan-signin/{start['wan_state']}", json={"credential": stolen})
    assert response.status_code == 400
    assert not _signed_in(matt.client)


def test_html_second_factor_page(tf_app: Flask) -> None:
    flow = _flow(tf_app, "matt@example.com", SoftAuthenticator(user_verified=False))
    assert flow.register("yubikey", usage="secondary").status_code == 200
    flow.client.post("/logout", json={})
    r = flow.client.post("/login", data={"email": "matt@example.com", "password": "password"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/wan-signin")
    page = flow.client.get("/wan-signin").get_data(as_text=True)
    assert "Confirm with your passkey" in page
    assert 'name="identity"' not in page and 'name="remember"' not in page
    assert "Sign in with a password" not in page
