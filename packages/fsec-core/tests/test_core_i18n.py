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
