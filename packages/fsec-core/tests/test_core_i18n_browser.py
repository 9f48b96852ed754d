"""The login page and its error in German, in a real Chromium whose language is German
(it sends ``Accept-Language: de-DE,de``), against a server process using Flask-Babel's
documented locale selector (``request.accept_languages.best_match``)."""

from __future__ import annotations

import sys
import textwrap

import pytest
from flask_security.testing.live import ProcessServer, start_process_server
from flask_security.testing.postgres import free_port

pytest.importorskip("flask_babel")

APP = textwrap.dedent(
    """
    import sys

    from flask import request
    from flask_babel import Babel
    from flask_security.babel import LOCALES
    from flask_security.testing.app import add_user, create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[2],
            "SERVER_NAME": None,
            "TESTING": False,
            "WTF_CSRF_ENABLED": True,
        }
    )
    Babel(app, locale_selector=lambda: request.accept_languages.best_match(LOCALES))
    add_user(app, "anna@example.com", "richtiges-passwort")

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    app.run(host="127.0.0.1", port=int(sys.argv[1]))
    """
)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> ProcessServer:
    folder = tmp_path_factory.mktemp("i18n-browser-app")
    (folder / "app.py").write_text(APP)
    port = free_port()
    srv = start_process_server(
        [sys.executable, str(folder / "app.py"), str(port), str(folder / "app.db")],
        port,
        ready_path="/login",
    )
    yield srv
    srv.stop()


def test_login_page_and_error_in_german(fsec_page, server):
    page = fsec_page(server.url, locale="de-DE")
    assert page.goto("/login").status == 200
    p = page.page
    assert p.evaluate("navigator.language") == "de-DE"
    assert p.get_attribute("html", "lang") == "de"
    assert p.title() == "Anmelden"
    assert p.locator("h1").inner_text() == "Anmelden"
    # every visible label of the form is German
    assert p.get_by_label("E-Mail-Adresse").is_visible()
    assert p.get_by_label("Passwort").is_visible()
    assert p.get_by_label("Angemeldet bleiben").is_visible()
    page.step("login page in German")

    p.get_by_label("E-Mail-Adresse").fill("anna@example.com")
    p.get_by_label("Passwort").fill("falsches-passwort")
    with p.expect_navigation():
        p.locator("form[name=login_user_form] [type=submit]").click()
    assert "Falsche E-Mail-Adresse oder falsches Passwort." in p.content()
    assert p.locator("h1").inner_text() == "Anmelden"
    page.step("wrong password error in German")


def test_same_page_in_english_for_an_english_browser(fsec_page, server):
    page = fsec_page(server.url, locale="en-US")
    assert page.goto("/login").status == 200
    assert page.page.get_attribute("html", "lang") == "en"
    assert page.page.locator("h1").inner_text() == "Login"
    page.step("login page in English")
