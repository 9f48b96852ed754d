"""fsec-confirmable's own catalogues (domain fsec_confirmable), from the installed
wheel: page, messages and the confirmation mail in German, the period included."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.testing.app import add_user

flask_babel = pytest.importorskip("flask_babel")


def _german(app: Any) -> Any:
    from flask import request
    from flask_security.babel import LOCALES

    flask_babel.Babel(app, locale_selector=lambda: request.accept_languages.best_match(LOCALES))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    return client


def test_resend_page_message_and_mail_in_german(app: Any, outbox: list[Any]) -> None:
    add_user(app, "offen@example.com", "password", confirmed_at=None)
    client = _german(app)
    html = client.get("/confirm").get_data(as_text=True)
    assert "<h1>Bestätigungsanleitung erneut senden</h1>" in html
    assert "Bestätigungsmail verloren oder Link abgelaufen?" in html
    r = client.post("/confirm", json={"email": "offen@example.com"})
    assert r.status_code == 200
    msg = outbox[0]
    assert msg.subject == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert msg.body.startswith("Hallo offen@example.com,\n\nbitte bestätigen Sie, dass diese")
    # SECURITY_CONFIRM_EMAIL_WITHIN = "5 days", worded by Babel for the locale
    assert "Der Link funktioniert einmal und ist 5 Tage lang gültig." in msg.body
    assert ">meine E-Mail-Adresse bestätigen</a>" in msg.html


def test_unconfirmed_login_refused_in_german(app: Any) -> None:
    add_user(app, "offen@example.com", "password", confirmed_at=None)
    r = _german(app).post("/login", json={"email": "offen@example.com", "password": "password"})
    assert r.status_code == 400
    errors = [e for field in r.json["response"]["errors"].values() for e in field]
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse, bevor Sie sich anmelden." in errors


def test_period_in_japanese_and_english(app: Any, outbox: list[Any]) -> None:
    add_user(app, "offen@example.com", "password", confirmed_at=None)
    client = _german(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
    client.post("/confirm", json={"email": "offen@example.com"})
    assert "このリンクは 1 回だけ使用でき、5 日で有効期限が切れます。" in outbox[-1].body
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post("/confirm", json={"email": "offen@example.com"})
    assert "The link works once and expires after 5 days." in outbox[-1].body
