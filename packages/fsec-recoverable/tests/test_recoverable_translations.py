"""fsec-recoverable's own catalogues (domain fsec_recoverable), from the installed
wheel: pages, messages, both mails and the period, in German."""

from __future__ import annotations

from typing import Any

import pytest

flask_babel = pytest.importorskip("flask_babel")


def _client(app: Any, language: str = "de-DE,de;q=0.9") -> Any:
    from flask import request
    from flask_security.babel import LOCALES

    flask_babel.Babel(app, locale_selector=lambda: request.accept_languages.best_match(LOCALES))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def test_forgot_page_and_login_link_in_german(app: Any) -> None:
    client = _client(app)
    html = client.get("/reset").get_data(as_text=True)
    assert "<h1>Anleitung zum Zurücksetzen des Passworts senden</h1>" in html
    assert ">Passwort wiederherstellen<" in html or 'value="Passwort wiederherstellen"' in html
    assert "Passwort vergessen?</a>" in client.get("/login").get_data(as_text=True)


def test_reset_request_mail_and_reset_in_german(app: Any, outbox: list[Any], link_in: Any) -> None:
    client = _client(app)
    r = client.post("/reset", json={"email": "alice@example.com"})
    assert r.status_code == 200
    msg = outbox[0]
    assert msg.subject == "Anleitung zum Zurücksetzen des Passworts"
    assert msg.body.startswith("Hallo alice@example.com,\n\nWir wurden gebeten, das Passwort")
    assert "Der Link kann einmal verwendet werden und ist 5 Tage lang gültig." in msg.body
    path = link_in(msg)
    html = client.get(path).get_data(as_text=True)
    assert "<h1>Passwort zurücksetzen</h1>" in html
    r = client.post(path, json={"password": "short", "password_confirm": "short"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["password"] == [
        "Das Passwort muss 6 bis 128 Zeichen lang sein."
    ]
    new = {"password": "a-new-password", "password_confirm": "a-new-password"}
    assert client.post(path, json=new).status_code == 200
    notice = outbox[-1]
    assert notice.subject == "Ihr Passwort wurde zurückgesetzt"
    assert "Alle anderen Sitzungen Ihres Kontos wurden abgemeldet." in notice.body


def test_request_message_in_brazilian_portuguese(app: Any) -> None:
    client = _client(app, "pt-BR,pt;q=0.9")
    client.get("/reset")
    r = client.post("/reset", data={"email": "alice@example.com"}, follow_redirects=True)
    assert (
        "Se alice@example.com pertencer a uma conta, um link para escolher uma nova senha está "
        "a caminho desse endereço." in r.get_data(as_text=True)
    )
