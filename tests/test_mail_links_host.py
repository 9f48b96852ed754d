"""Mailed links never carry an attacker's host (issue 10 section 2).

Every request below comes with ``Host: evil.example``; the mail is read from a real
SMTP server (aiosmtpd) and its links must name the host the application trusts:
``SECURITY_EXTERNAL_BASE_URL``, ``SERVER_NAME`` or ``TRUSTED_HOSTS``. Start-up fails
when a feature mailing links is on and none of them is set (outside debug/testing).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask_security.testing.app import add_user, create_app

EVIL = {"Host": "evil.example"}

FEATURES: dict[str, Any] = {
    # name: (config, action(client, headers) -> response, mail subject, link path prefix)
    "reset": (
        {"SECURITY_RECOVERABLE": True},
        lambda c, h=EVIL: c.post("/reset", data={"email": "alice@example.com"}, headers=h),
        "Password reset instructions",
        "/reset/",
    ),
    "confirm": (
        {"SECURITY_CONFIRMABLE": True},
        lambda c, h=EVIL: c.post("/confirm", data={"email": "alice@example.com"}, headers=h),
        "Please confirm your email",
        "/confirm/",
    ),
    "passwordless": (
        {"SECURITY_PASSWORDLESS": True, "SECURITY_TRACKABLE": True},
        lambda c, h=EVIL: c.post("/login", data={"email": "alice@example.com"}, headers=h),
        None,
        "/login/",
    ),
}


def _done(feature: str) -> int:
    """The status of a successful request: /confirm renders its page again (200, as
    3.0 did); the others redirect."""
    return 200 if feature == "confirm" else 302


def _app(smtp: Any, feature: str, **config: Any) -> Any:
    base = {
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": smtp.port,
        "MAIL_SUPPRESS_SEND": False,
        "SERVER_NAME": None,
    }
    base.update(FEATURES[feature][0])
    base.update(config)
    app = create_app(base)
    add_user(app, "alice@example.com")
    return app


def _only_link(smtp: Any, feature: str) -> str:
    (mail,) = smtp.messages
    subject = FEATURES[feature][2]
    if subject is not None:
        assert mail["Subject"] == subject
    prefix = FEATURES[feature][3]
    links = [u for u in smtp.links(mail) if urlsplit(u).path.startswith(prefix)]
    assert len(links) == 1, smtp.links(mail)
    assert "evil.example" not in smtp.text_of(mail) + smtp.html_of(mail)
    return links[0]


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_external_base_url_wins_over_host_header(fsec_smtp, feature):
    app = _app(fsec_smtp, feature, SECURITY_EXTERNAL_BASE_URL="https://accounts.example.org/")
    response = FEATURES[feature][1](app.test_client())
    assert response.status_code == _done(feature)
    link = urlsplit(_only_link(fsec_smtp, feature))
    assert (link.scheme, link.netloc) == ("https", "accounts.example.org")
    # The link works on the real site.
    page = app.test_client().get(link.path, headers={"Host": "accounts.example.org"})
    assert page.status_code in (200, 302)


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_server_name_wins_over_host_header(fsec_smtp, feature):
    app = _app(fsec_smtp, feature, SERVER_NAME="site.example")
    assert FEATURES[feature][1](app.test_client()).status_code == _done(feature)
    link = urlsplit(_only_link(fsec_smtp, feature))
    assert link.netloc == "site.example"


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_trusted_hosts_refuse_the_request_and_mail_nothing(fsec_smtp, feature):
    app = _app(fsec_smtp, feature, TRUSTED_HOSTS=["site.example"])
    assert FEATURES[feature][1](app.test_client()).status_code == 400
    assert fsec_smtp.messages == []
    # The trusted host itself gets its link.
    response = FEATURES[feature][1](app.test_client(), {"Host": "site.example"})
    assert response.status_code == _done(feature)
    assert urlsplit(_only_link(fsec_smtp, feature)).netloc == "site.example"


def test_base_url_keeps_the_mount_path(fsec_smtp):
    app = _app(fsec_smtp, "reset", SECURITY_EXTERNAL_BASE_URL="https://example.org/accounts")
    client = app.test_client()
    # Mounted under /accounts by the server (SCRIPT_NAME): no doubled prefix.
    r = client.post(
        "/reset",
        data={"email": "alice@example.com"},
        headers=EVIL,
        environ_base={"SCRIPT_NAME": "/accounts"},
    )
    assert r.status_code == 302
    (mail,) = fsec_smtp.messages
    (url,) = fsec_smtp.links(mail)
    link = urlsplit(url)
    assert link.netloc == "example.org" and link.path.startswith("/accounts/reset/")
    assert not link.path.startswith("/accounts/accounts/")


def test_register_welcome_and_confirmation_links(fsec_smtp):
    app = _app(
        fsec_smtp,
        "confirm",
        SECURITY_REGISTERABLE=True,
        SECURITY_EXTERNAL_BASE_URL="https://accounts.example.org",
    )
    r = app.test_client().post(
        "/register",
        data={"email": "new@example.com", "password": "secret-pw", "password_confirm": "secret-pw"},
        headers=EVIL,
    )
    assert r.status_code == 302
    (mail,) = fsec_smtp.messages  # the welcome mail carries the confirmation link
    links = fsec_smtp.links(mail)
    assert links and all(urlsplit(u).netloc == "accounts.example.org" for u in links)
    assert "evil.example" not in fsec_smtp.html_of(mail)


PRODUCTION = {"TESTING": False, "DEBUG": False, "SERVER_NAME": None}


@pytest.mark.parametrize(
    "features",
    [
        {"SECURITY_RECOVERABLE": True},
        {"SECURITY_CONFIRMABLE": True},
        {"SECURITY_PASSWORDLESS": True, "SECURITY_TRACKABLE": True},
        {"SECURITY_REGISTERABLE": True},
    ],
)
def test_start_up_fails_without_a_trusted_host(features):
    with pytest.raises(RuntimeError, match="SECURITY_EXTERNAL_BASE_URL") as info:
        create_app({**PRODUCTION, **features})
    assert "SERVER_NAME" in str(info.value) and "TRUSTED_HOSTS" in str(info.value)


@pytest.mark.parametrize(
    "setting",
    [
        {"SECURITY_EXTERNAL_BASE_URL": "https://accounts.example.org"},
        {"SERVER_NAME": "site.example"},
        {"TRUSTED_HOSTS": ["site.example"]},
        {"DEBUG": True},
        {"TESTING": True},
        # The only link mail is switched off: nothing to protect.
        {"SECURITY_SEND_PASSWORD_RESET_EMAIL": False},
    ],
)
def test_start_up_passes_with_a_trusted_host_or_no_link_mail(setting):
    app = create_app({**PRODUCTION, "SECURITY_RECOVERABLE": True, **setting})
    assert "security" in app.extensions


def test_features_without_link_mails_need_nothing():
    app = create_app({**PRODUCTION, "SECURITY_CHANGEABLE": True, "SECURITY_TRACKABLE": True})
    assert "security" in app.extensions


@pytest.mark.parametrize(
    "bad", ["accounts.example.org", "ftp://example.org", "https://", "https://e.org/?a=1", 5]
)
def test_bad_external_base_url_stops_start_up(bad):
    with pytest.raises(RuntimeError, match="SECURITY_EXTERNAL_BASE_URL must be"):
        create_app({"SECURITY_RECOVERABLE": True, "SECURITY_EXTERNAL_BASE_URL": bad})
