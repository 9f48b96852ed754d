"""fsec-passwordless's own catalogues (domain fsec_passwordless), from the installed
wheel: the send-link page, messages and the login mail, in German and Chinese."""

from __future__ import annotations

from typing import Any

import pytest

flask_babel = pytest.importorskip("flask_babel")


def _client(app: Any, language: str) -> Any:
    from flask import request
    from flask_security.babel import LOCALES

    flask_babel.Babel(app, locale_selector=lambda: request.accept_languages.best_match(LOCALES))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def test_send_link_page_and_mail_in_german(app: Any, outbox: list[Any], link_in: Any) -> None:
    client = _client(app, "de")
    html = client.get("/login").get_data(as_text=True)
    assert "<h1>Anmelden</h1>" in html and "Anmeldelink senden" in html
    assert "wir senden Ihnen einen Link, mit dem Sie sich anmelden." in html
    r = client.post("/login", json={"email": "alice@example.com"})
    assert r.status_code == 200
    msg = outbox[0]
    assert msg.subject == "Anleitung zur Anmeldung"
    assert msg.body.startswith("Hallo alice@example.com,\n\njemand, hoffentlich Sie,")
    within = app.config["SECURITY_LOGIN_WITHIN"]
    assert within == "1 days"
    assert "bis zu Ihrer nächsten Anmeldung und höchstens 1 Tag lang." in msg.body
    assert client.get(link_in(msg)).status_code == 302
    with client.session_transaction() as session:
        assert ("success", "Sie sind angemeldet.") in session["_flashes"]
    other = _client(app, "de")
    other.get(link_in(msg))  # the link is spent
    with other.session_transaction() as session:
        assert (
            "error",
            "Dieser Anmeldelink funktioniert nicht: "
            "Er ist beschädigt oder wurde bereits verwendet.",
        ) in session["_flashes"]


def test_send_link_page_in_simplified_chinese(app: Any) -> None:
    html = _client(app, "zh-CN,zh;q=0.9").get("/login").get_data(as_text=True)
    assert '<html lang="zh-Hans-CN">' in html
    assert "<h1>登录</h1>" in html and "发送登录链接" in html
