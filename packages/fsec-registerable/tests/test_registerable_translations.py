"""fsec-registerable's own catalogues (domain fsec_registerable), from the installed
wheel, merged by core through fsec_translation_directories."""

from __future__ import annotations

from typing import Any

import pytest

flask_babel = pytest.importorskip("flask_babel")


def _german(app: Any) -> Any:
    from flask import request
    from flask_security.babel import LOCALES

    flask_babel.Babel(app, locale_selector=lambda: request.accept_languages.best_match(LOCALES))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
    return client


def test_register_page_and_login_link_in_german(app: Any) -> None:
    client = _german(app)
    html = client.get("/register").get_data(as_text=True)
    assert "<title>Registrieren</title>" in html and "<h1>Registrieren</h1>" in html
    assert "E-Mail-Adresse" in html and "Passwort wiederholen" in html
    login = client.get("/login").get_data(as_text=True)
    assert ">Konto erstellen</a>" in login  # fsec_view_links, from this catalogue


def test_welcome_mail_and_error_in_german(app: Any, outbox: list[Any]) -> None:
    client = _german(app)
    data = {"email": "neu@example.com", "password": "password", "password_confirm": "password"}
    assert client.post("/register", json=data).status_code == 200
    msg = outbox[0]
    assert msg.subject == "Willkommen"
    assert msg.body.startswith("Hallo neu@example.com,\n\nIhr Konto ist bereit.")
    assert "Hier anmelden: http://localhost/login" in msg.body
    assert '<a href="http://localhost/login">Hier anmelden</a>' in msg.html
    r = _german(app).post("/register", json=data)  # signed out, same address again
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == [
        "neu@example.com gehört bereits zu einem Konto."
    ]


def test_english_unchanged_without_a_locale(app: Any, outbox: list[Any]) -> None:
    data = {"email": "new@example.com", "password": "password", "password_confirm": "password"}
    assert app.test_client().post("/register", json=data).status_code == 200
    assert outbox[0].subject == "Welcome"
    assert "your account is ready. Thank you for signing up." in outbox[0].body
