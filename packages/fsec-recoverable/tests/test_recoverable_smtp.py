"""End to end through a real SMTP server: ask for a link, read the mail, follow it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_security.testing.app import add_user, create_app, login


def test_reset_through_real_smtp(fsec_smtp: Any) -> None:
    app = create_app(
        {
            "SECURITY_RECOVERABLE": True,
            "MAIL_SERVER": fsec_smtp.host,
            "MAIL_PORT": fsec_smtp.port,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "accounts@example.org",
        }
    )
    add_user(app, "alice@example.com", "password")
    browser = app.test_client()

    response = browser.post("/reset", data={"email": "alice@example.com"})
    assert response.status_code == 302

    (mail,) = fsec_smtp.messages
    assert mail["To"] == "alice@example.com"
    assert mail["From"] == "accounts@example.org"
    assert mail["Subject"] == "Password reset instructions"
    links = fsec_smtp.links(mail)
    assert len(links) == 1
    link = urlsplit(links[0])
    assert (link.scheme, link.netloc) == ("http", "localhost")
    assert link.path in fsec_smtp.html_of(mail)

    page = browser.get(link.path)
    assert page.status_code == 200
    assert 'name="reset_password_form"' in page.get_data(as_text=True)
    response = browser.post(
        link.path, data={"password": "fresh-secret", "password_confirm": "fresh-secret"}
    )
    assert response.status_code == 302
    assert browser.get("/").get_data(as_text=True) == "Hello alice@example.com"

    notice = fsec_smtp.messages[1]
    assert notice["Subject"] == "Your password has been reset"
    assert "reset" in fsec_smtp.text_of(notice)

    # The link in the mail is spent; the new password works, the old one does not.
    assert app.test_client().get(link.path).status_code == 302
    assert login(app.test_client(), "alice@example.com", "password").status_code == 400
    assert login(app.test_client(), "alice@example.com", "fresh-secret").status_code == 200
