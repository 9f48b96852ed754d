"""``SECURITY_RETURN_GENERIC_RESPONSES`` (Flask-Security 5.x setting, issue 10 section
5): /register answers an address that has an account exactly like a new one, and the
owner of that account gets a mail instead of the form saying so."""

from __future__ import annotations

from typing import Any

import pytest
from flask import get_flashed_messages
from flask_security.forms import unique_user_email
from flask_security.signals import user_not_registered
from flask_security.testing.app import add_user, create_app
from flask_security.utils import normalize_email
from fsec_registerable import forms as registerable_forms

PASSWORD = "correct-horse"
GENERIC = {
    "SECURITY_REGISTERABLE": True,
    "SECURITY_CONFIRMABLE": True,
    "SECURITY_RECOVERABLE": True,
    "SECURITY_RETURN_GENERIC_RESPONSES": True,
}


@pytest.fixture
def generic_app() -> Any:
    app = create_app(GENERIC)
    add_user(app, "owner@example.com", "owners-password")
    return app


def _answers(app: Any, email: str) -> tuple[Any, ...]:
    """JSON and HTML answers to registering ``email`` (with the address masked)."""
    j = app.test_client().post("/register", json={"email": email, "password": PASSWORD})
    h = app.test_client().post("/register", data={"email": email, "password": PASSWORD})
    with app.test_client() as browser:
        browser.post("/register", data={"email": email.upper(), "password": PASSWORD})
        browser.get("/public")  # any request context reads the flashed messages
        # the address as the form took it (normalize_email: domain lower-cased)
        typed = normalize_email(email.upper())
        flashed = [m.replace(typed, "EMAIL") for m in get_flashed_messages()]
    return j.status_code, j.json, h.status_code, h.headers.get("Location"), flashed


def test_existing_address_answers_like_a_new_one_and_mails_its_owner(generic_app: Any) -> None:
    app = generic_app
    notified: list[dict[str, Any]] = []

    def on_not_registered(sender: Any, **kwargs: Any) -> None:
        notified.append(kwargs)

    with app.extensions["mail"].record_messages() as outbox:
        with user_not_registered.connected_to(on_not_registered, app):
            existing = _answers(app, "owner@example.com")
        owner_mails = list(outbox)
        new = _answers(app, "new@example.com")
    assert existing[0] == 200 and existing[1] == {"meta": {"code": 200}, "response": {}}
    assert existing == new
    assert existing[2] == 302 and existing[4] and "EMAIL" in existing[4][0]

    # Three attempts on the existing address: three mails to its owner, no new account.
    assert [m.recipients for m in owner_mails] == [["owner@example.com"]] * 3
    mail = owner_mails[0]
    assert mail.subject == "Welcome"
    assert "already has" in mail.body and "owners-password" not in mail.body
    assert "http://localhost/reset" in mail.body and 'href="http://localhost/reset"' in mail.html
    assert "http://localhost/login" in mail.body
    assert len(notified) == 3
    event = notified[0]
    assert event["user"].email == "owner@example.com"
    assert event["existing_email"] is True and event["existing_username"] is False
    assert event["form_data"] == {"email": "owner@example.com"}  # no password
    with app.app_context():
        ds = app.extensions["security"].datastore
        assert ds.find_user(email="owner@example.com").confirmed_at is None
        assert ds.find_user(email="new@example.com") is not None


def test_other_errors_are_still_reported_without_the_duplicate(generic_app: Any) -> None:
    client = generic_app.test_client()
    with generic_app.extensions["mail"].record_messages() as outbox:
        r = client.post("/register", json={"email": "owner@example.com", "password": "short"})
        assert r.status_code == 400
        assert set(r.json["response"]["errors"]) == {"password"}
        r = client.post("/register", json={"email": "not-an-address", "password": PASSWORD})
        assert r.status_code == 400 and set(r.json["response"]["errors"]) == {"email"}
    assert outbox == []


def test_race_lost_to_the_database_is_answered_generically(
    generic_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unique index refuses the row after the form check passed: still the
    generic answer and a mail to the owner, not a 400 saying the address is taken."""
    field = registerable_forms.ConfirmRegisterForm.email
    monkeypatch.setitem(
        field.kwargs,
        "validators",
        [v for v in field.kwargs["validators"] if v is not unique_user_email],
    )
    monkeypatch.setattr(
        generic_app.extensions["security"].datastore, "check_unique", lambda kw: None
    )
    with generic_app.extensions["mail"].record_messages() as outbox:
        r = generic_app.test_client().post(
            "/register", json={"email": "Owner@Example.com", "password": PASSWORD}
        )
    assert r.status_code == 200 and r.json["response"] == {}
    assert [m.recipients for m in outbox] == [["owner@example.com"]]


def test_without_confirmable_a_new_user_is_still_signed_in() -> None:
    """Generic answers hide an account only when new users are not signed in at once
    (confirmable on, as upstream says); without it the new user gets a token."""
    app = create_app({"SECURITY_REGISTERABLE": True, "SECURITY_RETURN_GENERIC_RESPONSES": True})
    r = app.test_client().post("/register", json={"email": "n@example.com", "password": PASSWORD})
    assert r.status_code == 200 and r.json["response"]["user"]["authentication_token"]


def test_off_by_default_keeps_the_3_0_answer() -> None:
    app = create_app({"SECURITY_REGISTERABLE": True})
    add_user(app, "owner@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        r = app.test_client().post(
            "/register", json={"email": "owner@example.com", "password": PASSWORD}
        )
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == [
        "owner@example.com is already associated with an account."
    ]
    assert outbox == []


@pytest.mark.parametrize("generic", [False, True])
def test_login_refusal_is_a_wrong_password_when_generic(generic: bool) -> None:
    app = create_app({"SECURITY_CONFIRMABLE": True, "SECURITY_RETURN_GENERIC_RESPONSES": generic})
    add_user(app, "wait@example.com", "password")  # not confirmed
    add_user(app, "off@example.com", "password", active=False)
    client = app.test_client()
    wrong = client.post("/login", json={"email": "nobody@example.com", "password": "password"})
    for email in ("wait@example.com", "off@example.com"):
        r = client.post("/login", json={"email": email, "password": "password"})
        assert r.status_code == 400
        if generic:
            assert r.json["response"]["errors"] == wrong.json["response"]["errors"]
        else:
            assert set(r.json["response"]["errors"]) == {"email"}
