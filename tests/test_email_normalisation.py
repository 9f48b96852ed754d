"""An email address is normalised the same way on every form, in JSON and in the CLI
(issue 13 §2): surrounding blanks stripped, the domain lower-cased, the local part
kept (flask_security.utils.normalize_email, applied as a WTForms filter).

Before: login accepted " admin@example.com" while /register answered both "not a
valid email address" and "already associated" for it."""

from __future__ import annotations

import datetime

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from flask_security import current_datastore
from flask_security.forms import EMAIL_FILTERS
from flask_security.testing.app import add_user, create_app
from flask_security.utils import normalize_email

FEATURES = {
    "SECURITY_REGISTERABLE": True,
    "SECURITY_CONFIRMABLE": True,
    "SECURITY_RECOVERABLE": True,
    "SECURITY_CHANGEABLE": True,
    "SECURITY_TRACKABLE": True,
}


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("admin@example.com", "admin@example.com"),
        (" admin@example.com", "admin@example.com"),
        ("\tAdmin@EXAMPLE.Com \n", "Admin@example.com"),
        ("\u00a0Joe.Bloggs@Mail.Example.ORG\u2003", "Joe.Bloggs@mail.example.org"),
        ('"odd@local"@Example.COM', '"odd@local"@example.com'),  # the last @ splits
        ("  bob  ", "bob"),  # a user name as login identity: only stripped
        ("", ""),
        (None, None),
    ],
)
def test_normalize_email(typed, normalised):
    assert normalize_email(typed) == normalised


@pytest.fixture
def app():
    app = create_app(FEATURES)
    add_user(app, "admin@example.com", "password", confirmed_at=datetime.datetime(2026, 1, 1))
    return app


def _errors(response):
    return response.json["response"]["errors"]


def test_register_with_blanks_says_only_already_associated(app):
    client = app.test_client()
    r = client.post("/register", json={"email": " Admin@EXAMPLE.com ", "password": "long-enough"})
    assert r.status_code == 400
    assert _errors(r) == {"email": ["Admin@example.com is already associated with an account."]}
    # the page says the same, once
    r = client.post("/register", data={"email": " admin@example.com", "password": "long-enough"})
    html = r.get_data(as_text=True)
    assert "already associated" in html and "not a valid email address" not in html.lower()


def test_register_stores_and_mails_the_normalised_address(app):
    with app.extensions["mail"].record_messages() as outbox:
        r = app.test_client().post(
            "/register", json={"email": "  New.Person@Example.COM ", "password": "long-enough"}
        )
    assert r.status_code == 200, r.json
    with app.app_context():
        user = current_datastore.find_user(email="New.Person@example.com")
        assert user is not None and user.email == "New.Person@example.com"
    assert [m.recipients for m in outbox] == [["New.Person@example.com"]]


@pytest.mark.parametrize(
    "typed", [" admin@example.com", "admin@EXAMPLE.COM\t", "\u00a0admin@example.com"]
)
def test_login_form_and_json_take_the_same_address(app, typed):
    assert (
        app.test_client().post("/login", json={"email": typed, "password": "password"}).status_code
        == 200
    )
    r = app.test_client().post("/login", data={"email": typed, "password": "password"})
    assert r.status_code == 302


@pytest.mark.parametrize(("path", "subject"), [("/reset", "reset"), ("/confirm", "confirm")])
def test_lookup_forms_mail_the_stored_address(app, path, subject):
    with app.app_context():
        user = current_datastore.find_user(email="admin@example.com")
        user.confirmed_at = None
        current_datastore.put(user)
        current_datastore.commit()
    with app.extensions["mail"].record_messages() as outbox:
        r = app.test_client().post(path, json={"email": "  admin@Example.com "})
    assert r.status_code == 200, r.json
    assert [m.recipients for m in outbox] == [["admin@example.com"]]
    assert subject in outbox[0].subject.lower()


def test_passwordless_lookup_takes_the_same_address():
    app = create_app({"SECURITY_PASSWORDLESS": True, "SECURITY_TRACKABLE": True})
    add_user(app, "admin@example.com", "password")
    with app.extensions["mail"].record_messages() as outbox:
        r = app.test_client().post("/login", json={"email": " ADMIN@example.com"})
    assert r.status_code == 200, r.json
    # the local part is compared ignoring case too (lookups are case-insensitive)
    assert [m.recipients for m in outbox] == [["admin@example.com"]]


def test_every_registered_form_filters_its_email_field(app):
    """Each form with an ``email`` field (core's and every enabled feature's) runs
    normalize_email first, so no form can disagree with another."""
    checked = []
    with app.test_request_context():
        for name, cls in app.extensions["security"].forms.items():
            form = cls(meta={"csrf": False})
            if "email" in form:
                assert tuple(form.email.filters)[: len(EMAIL_FILTERS)] == EMAIL_FILTERS, name
                checked.append(name)
    assert {"login_form", "register_form", "forgot_password_form"} <= set(checked)
    assert "send_confirmation_form" in checked


def test_cli_create_and_lookup_normalise(app):
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    r = runner.invoke(
        app.cli,
        ["users", "create", " Someone@Example.COM ", "--password", "long-enough", "-a"],
        obj=info,
    )
    assert r.exit_code == 0, r.output
    with app.app_context():
        assert current_datastore.find_user(email="Someone@example.com") is not None
    r = runner.invoke(app.cli, ["users", "deactivate", "  someone@EXAMPLE.com"], obj=info)
    assert r.exit_code == 0, r.output
    with app.app_context():
        assert current_datastore.find_user(email="Someone@example.com").active is False
    # and the duplicate is refused, named by its normalised address
    r = runner.invoke(
        app.cli,
        ["users", "create", "someone@example.COM", "--password", "long-enough"],
        obj=info,
    )
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
