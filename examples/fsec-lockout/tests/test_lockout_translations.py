"""The example third-party plugin ships its catalogues the way first-party ones do
(fsec_translation_directories, domain fsec_lockout): refusal and notice mail in German."""

from __future__ import annotations

from typing import Any

import pytest

flask_babel = pytest.importorskip("flask_babel")


def _german(app: Any) -> Any:
    from flask import request
    from flask_security.babel import LOCALES

    flask_babel.Babel(app, locale_selector=lambda: request.accept_languages.best_match(LOCALES))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-CH,de;q=0.9"
    return client


def test_lock_refusal_and_notice_mail_in_german(app: Any) -> None:
    client = _german(app)
    with app.extensions["mail"].record_messages() as outbox:
        for _ in range(3):
            r = client.post("/login", json={"email": "alice@example.com", "password": "wrong"})
            assert r.status_code == 400
    msg = outbox[0]
    assert msg.subject == "Ihr Konto ist gesperrt"
    assert msg.body.startswith("Hallo alice@example.com,\n\nJemand hat für Ihr Konto 3-mal")
    assert "(Zeitraum: 10 Minuten)" in msg.body
    assert "bis 2026-01-01 12:30 (UTC) gesperrt." in msg.body
    r = client.post("/login", json={"email": "alice@example.com", "password": "password"})
    errors = [e for field in r.json["response"]["errors"].values() for e in field]
    assert (
        "Dieses Konto ist nach zu vielen fehlgeschlagenen Anmeldeversuchen gesperrt. "
        "Versuchen Sie es später erneut." in errors
    )
