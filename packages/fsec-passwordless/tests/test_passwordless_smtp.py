"""End to end through a real SMTP server: ask for a link, read the mail, follow it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_security.testing.app import add_user, create_app


def test_login_link_through_real_smtp(fsec_smtp: Any) -> None:
    app = create_app(
        {
            "SECURITY_PASSWORDLESS": True,
            "SECURITY_TRACKABLE": True,
            "MAIL_SERVER": fsec_smtp.host,
            "MAIL_PORT": fsec_smtp.port,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "accounts@example.org",
        }
    )
    add_user(app, "alice@example.com")
    browser = app.test_client()

    # The protected page sends the visitor to the send-link page.
    response = browser.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    response = browser.post("/login", data={"email": "alice@example.com"})
    assert response.status_code == 302

    (mail,) = fsec_smtp.messages
    assert mail["To"] == "alice@example.com"
    assert mail["Subject"] == "Login instructions"
    (url,) = fsec_smtp.links(mail)
    link = urlsplit(url)
    assert (link.scheme, link.netloc) == ("http", "localhost")
    assert link.path.startswith("/login/")
    assert url in fsec_smtp.html_of(mail)

    response = browser.get(link.path)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert browser.get("/").get_data(as_text=True) == "Hello alice@example.com"

    # Spent: a second browser with the same link gets nowhere.
    other = app.test_client()
    assert other.get(link.path).headers["Location"] == "/login"
    assert other.get("/").status_code == 302
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email="alice@example.com")
        assert user.login_count == 1
