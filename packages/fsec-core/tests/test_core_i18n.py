"""Messages and labels go through gettext (Flask-Babel) in SECURITY_I18N_DOMAIN."""

from __future__ import annotations

import pytest

babel_messages = pytest.importorskip("babel.messages.catalog")


def _write_catalog(folder, domain: str) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="fr", domain=domain)
    catalog.add("Please sign in to open this page.", "Connectez-vous pour ouvrir cette page.")
    catalog.add("Email Address", "Adresse e-mail")
    target = folder / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / f"{domain}.mo", "wb") as fh:
        write_mo(fh, catalog)


def test_messages_and_labels_are_translated(make_app, tmp_path):
    from flask_babel import Babel
    from flask_security.utils import get_message

    _write_catalog(tmp_path, "flask_security")
    app = make_app({"SECURITY_I18N_DIRNAME": str(tmp_path)})
    Babel(app, locale_selector=lambda: "fr")
    with app.test_request_context():
        assert get_message("LOGIN")[0] == "Connectez-vous pour ouvrir cette page."
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "Adresse e-mail" in html


def test_custom_domain(make_app, tmp_path):
    from flask_babel import Babel
    from flask_security.utils import get_message

    _write_catalog(tmp_path, "myapp")
    app = make_app({"SECURITY_I18N_DIRNAME": str(tmp_path), "SECURITY_I18N_DOMAIN": "myapp"})
    Babel(app, locale_selector=lambda: "fr")
    with app.test_request_context():
        assert get_message("LOGIN")[0] == "Connectez-vous pour ouvrir cette page."


def test_untranslated_without_babel(make_app):
    from flask_security.utils import get_message

    app = make_app()
    with app.test_request_context():
        assert get_message("LOGIN")[0] == "Please sign in to open this page."


# -- the shipped catalogues (compiled .mo files inside the installed fsec-core) -----------


def _babel_from_accept_language(app):
    """Flask-Babel's documented locale selector: the best of the offered locales."""
    from flask import request
    from flask_babel import Babel
    from flask_security.babel import LOCALES

    Babel(app, locale_selector=lambda: request.accept_languages.best_match(LOCALES))
    return app


def test_login_page_and_error_in_german_from_accept_language(app):
    from flask_security.testing.app import login

    _babel_from_accept_language(app)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9,en;q=0.5"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "<title>Anmelden</title>" in html and "<h1>Anmelden</h1>" in html
    assert "E-Mail-Adresse" in html and "Passwort" in html and "Angemeldet bleiben" in html
    client.get("/login")
    r = client.post("/login", data={"email": "matt@example.com", "password": "wrong-password"})
    assert r.status_code in (200, 400)
    assert "Falsche E-Mail-Adresse oder falsches Passwort." in r.get_data(as_text=True)
    r = login(client, "matt@example.com", "wrong-password")
    assert r.json["response"]["errors"]["password"] == [
        "Falsche E-Mail-Adresse oder falsches Passwort."
    ]


def test_english_without_a_catalogue_for_the_locale(app):
    _babel_from_accept_language(app)
    html = app.test_client().get("/login", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "<h1>Login</h1>" in html


def test_pages_render_without_flask_babel(app):
    # No Babel(app): _fsdomain only formats, the page is English.
    html = app.test_client().get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "<h1>Login</h1>" in html and "Email Address" in html


@pytest.mark.parametrize(
    ("header", "lang", "title"),
    [
        ("zh-CN,zh;q=0.9", "zh-Hans-CN", "登录"),
        ("pt-BR", "pt-BR", "Entrar"),
        ("ja", "ja", "ログイン"),
        ("fr-CA,fr;q=0.8", "fr", "Se connecter"),
    ],
)
def test_browser_language_tags_find_their_catalogue(app, header, lang, title):
    _babel_from_accept_language(app)
    html = (
        app.test_client().get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    )
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{title}</h1>" in html


def test_every_core_string_is_translated_in_every_shipped_locale(make_app):
    """Every registered message and mail subject of core, and the labels, are in each
    compiled catalogue the wheel ships (the source-level check is tests/test_translations.py)."""
    from flask_babel import Babel
    from flask_security.babel import LOCALES, get_translations
    from flask_security.forms import _default_field_labels

    app = make_app({"SECURITY_CHANGEABLE": True})
    chosen = {}
    Babel(app, locale_selector=lambda: chosen["locale"])
    state = app.extensions["security"]
    texts = {text for text, _ in state.messages.values()}
    texts |= set(_default_field_labels.values())
    texts.add(app.config["SECURITY_EMAIL_SUBJECT_PASSWORD_CHANGE_NOTICE"])
    for locale in LOCALES:
        chosen["locale"] = locale
        with app.test_request_context():
            catalog = get_translations()._catalog
            missing = [t for t in texts if not catalog.get(t)]
        assert not missing, (locale, missing)


def test_filled_in_password_length_message_is_translated(make_app):
    from flask_babel import Babel
    from flask_security.utils import get_message

    app = make_app({"SECURITY_PASSWORD_MIN_LENGTH": 8})
    Babel(app, locale_selector=lambda: "de")
    # 3.0 apps read the config copy with the range filled in...
    assert app.config["SECURITY_MSG_PASSWORD_INVALID_LENGTH"][0] == (
        "The password must be 8 to 128 characters long."
    )
    with app.test_request_context():
        # ... while the page shows the translation of the text with placeholders.
        assert get_message("PASSWORD_INVALID_LENGTH", min=8, max=128)[0] == (
            "Das Passwort muss 8 bis 128 Zeichen lang sein."
        )
    app.config["SECURITY_MSG_PASSWORD_INVALID_LENGTH"] = ("Too short or long.", "error")
    with app.test_request_context():
        assert get_message("PASSWORD_INVALID_LENGTH", min=8, max=128)[0] == "Too short or long."


def test_builtin_plus_own_folder_overrides_a_few(make_app, tmp_path):
    """Upstream 5.x's list form: the app's catalogue after "builtin" wins where it has
    a translation; the built-in ones answer the rest."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from flask_babel import Babel
    from flask_security.utils import get_message

    catalog = Catalog(locale="de", domain="flask_security")
    catalog.add("Please sign in to open this page.", "Erst anmelden, bitte.")
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    with open(tmp_path / "de" / "LC_MESSAGES" / "flask_security.mo", "wb") as fh:
        write_mo(fh, catalog)
    app = make_app({"SECURITY_I18N_DIRNAME": ["builtin", str(tmp_path)]})
    Babel(app, locale_selector=lambda: "de")
    with app.test_request_context():
        assert get_message("LOGIN")[0] == "Erst anmelden, bitte."
        assert get_message("DISABLED_ACCOUNT")[0] == "Dieses Konto ist deaktiviert."
    app.config["SECURITY_I18N_DIRNAME"] = [str(tmp_path), "builtin"]
    with app.test_request_context():
        assert get_message("LOGIN")[0] == "Bitte melden Sie sich an, um diese Seite zu öffnen."


def test_default_dirname_is_core_folder_and_means_builtin(make_app):
    import os

    from flask_security.babel import TRANSLATIONS_DIR

    app = make_app()
    assert app.config["SECURITY_I18N_DIRNAME"] == TRANSLATIONS_DIR
    assert os.path.isfile(os.path.join(TRANSLATIONS_DIR, "de", "LC_MESSAGES", "flask_security.mo"))


def test_change_notice_mail_in_german(app):
    from flask_security.testing.app import login

    _babel_from_accept_language(app)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    login(client, "matt@example.com")
    data = {
        "password": "password",
        "new_password": "new-password",
        "new_password_confirm": "new-password",
    }
    with app.extensions["mail"].record_messages() as outbox:
        r = client.post("/change", data=data)
    assert r.status_code == 302
    msg = outbox[0]
    assert msg.subject == "Ihr Passwort wurde geändert"
    assert msg.body.startswith("Hallo matt@example.com,\n\nIhr Passwort wurde geändert. Falls Sie")
    assert "<p>Hallo matt@example.com,</p>" in msg.html


def test_cli_with_a_request_based_locale_selector(app):
    """The documented selector reads ``request``; outside a request (CLI, tasks) texts
    stay English instead of failing with "Working outside of request context"."""
    _babel_from_accept_language(app)
    runner = app.test_cli_runner()
    r = runner.invoke(args=["users", "create", "not-an-address", "--password", "secret1"])
    assert r.exit_code == 2
    assert "invalid email address" in r.output
    r = runner.invoke(args=["users", "create", "new@example.com", "--password", "secret1"])
    assert r.exit_code == 0, r.output
    with app.app_context():
        from flask_security.utils import get_message

        assert get_message("LOGIN")[0] == "Please sign in to open this page."
