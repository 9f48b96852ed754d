"""The invite example ships its catalogues like any plugin (fsec_translation_directories,
domain fsec_invite): the admin page, the mail with its period and the accept page in
German, from the installed wheel."""

from __future__ import annotations

from typing import Any

import pytest
from flask_security.testing.app import login

flask_babel = pytest.importorskip("flask_babel")


def test_invite_page_mail_and_accept_page_in_german(app: Any, outbox: list[Any], link_in: Any):
    from flask import request
    from flask_security.babel import LOCALES

    flask_babel.Babel(app, locale_selector=lambda: request.accept_languages.best_match(LOCALES))
    admin = app.test_client()
    admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    login(admin, "admin@example.com")
    html = admin.get("/invite").get_data(as_text=True)
    assert "<h1>Benutzer einladen</h1>" in html and 'value="Einladen"' in html
    r = admin.post("/invite", json={"email": "anna@example.com"})
    assert r.status_code == 200
    (mail,) = outbox
    assert mail.subject == "Sie sind eingeladen"
    assert mail.body.startswith("Hallo anna@example.com,\n\nSie sind eingeladen, Ihr Konto")
    # SECURITY_INVITE_WITHIN = "3 days", worded for the locale
    assert "Der Link kann einmal verwendet werden und ist 3 Tage lang gültig." in mail.body
    invitee = app.test_client()
    invitee.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    page = invitee.get(link_in(mail)).get_data(as_text=True)
    assert "<h1>Wählen Sie Ihr Passwort</h1>" in page and 'value="Passwort festlegen"' in page
