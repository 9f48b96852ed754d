"""fsec-webauthn's own catalogues (domain fsec_webauthn), from the installed wheel:
the passkey pages, the page script's texts and the messages, in German and Japanese."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from flask import Flask

flask_babel = pytest.importorskip("flask_babel")


def _client(app: Flask, language: str) -> Any:
    from flask import request
    from flask_security.babel import LOCALES

    flask_babel.Babel(app, locale_selector=lambda: request.accept_languages.best_match(LOCALES))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def test_pages_and_messages_in_german(app: Flask) -> None:
    from flask_security.testing.app import login
    from fsec_webauthn.testing import JsonFlow, SoftAuthenticator

    client = _client(app, "de")
    html = client.get("/wan-signin").get_data(as_text=True)
    assert "<h1>Mit einem Passkey anmelden</h1>" in html
    assert "Mit einem Passwort anmelden" in html
    step = client.post("/wan-signin", data={}).get_data(as_text=True)
    assert 'data-wan-failed="Der Passkey wurde nicht verwendet. Versuchen Sie es erneut."' in step
    assert "Folgen Sie der Aufforderung Ihres Browsers" in step
    assert "Mit einem Passkey anmelden" in client.get("/login").get_data(as_text=True)
    login(client, "matt@example.com")
    page = client.get("/wan-register").get_data(as_text=True)
    assert "Sie haben noch keinen Passkey." in page and "Name des Passkeys" in page
    flow = JsonFlow(client, SoftAuthenticator())
    assert flow.register("Laptop").status_code == 200
    taken = flow.register_start("Laptop")
    assert taken.json["response"]["errors"]["name"] == [
        "Sie haben bereits einen Passkey namens Laptop."
    ]
    app.config["SECURITY_WAN_REGISTER_WITHIN"] = datetime.timedelta(minutes=30)
    start = flow.register_start("Handy").json["response"]
    credential = SoftAuthenticator().create(start["credential_options"])
    flow.register_start("Tablet")  # a new ceremony replaces the first one's nonce
    stale = client.post(f"/wan-register/{start['wan_state']}", json={"credential": credential})
    assert stale.json["response"]["errors"]["credential"] == [
        "Diese Passkey-Anfrage ist älter als 30 Minuten oder wurde bereits verwendet; "
        "beginnen Sie von vorn."
    ]


def test_signin_page_in_japanese(app: Flask) -> None:
    html = _client(app, "ja").get("/wan-signin").get_data(as_text=True)
    assert "パスキーでログイン" in html and "パスワードでログイン" in html
