"""A login reports its refusal itself (issue 14 section 3): ``try_login_user`` gives
the refusal's message key, ``login_user`` keeps 3.0's ``bool``, and every login path
asks ``fsec_login_refusal`` once."""

from __future__ import annotations

from typing import Any

import flask_login
import pytest
from flask_security import current_datastore, hookimpl
from flask_security.login_steps import begin_login
from flask_security.utils import login_user, try_login_user


class Counter:
    """Counts the refusal hook's calls and records ``fsec_login_refused``."""

    def __init__(self) -> None:
        self.asked = 0
        self.refuse: str | None = None
        self.refused: list[tuple[str, str, str]] = []

    @hookimpl
    def fsec_login_refusal(self, user: Any, method: str) -> str | None:
        self.asked += 1
        return self.refuse

    @hookimpl
    def fsec_login_refused(self, user: Any, method: str, reason: str) -> None:
        self.refused.append((user.email, method, reason))


@pytest.fixture
def counted(app):
    counter = Counter()
    app.extensions["security"].plugins.pm.register(counter, name="counter")
    return app, counter


def _joe():
    return current_datastore.find_user(email="joe@example.com")


def test_try_login_user_signs_in_and_answers_none(counted):
    app, counter = counted
    with app.test_request_context():
        assert try_login_user(_joe(), method="invite") is None
        assert flask_login.current_user.email == "joe@example.com"
    assert counter.asked == 1
    assert counter.refused == []


def test_try_login_user_answers_the_refusal_key_once_asked(counted):
    app, counter = counted
    counter.refuse = "CONFIRMATION_REQUIRED"
    with app.test_request_context():
        assert try_login_user(_joe(), method="invite") == "CONFIRMATION_REQUIRED"
        assert not flask_login.current_user.is_authenticated
    assert counter.asked == 1
    assert counter.refused == [("joe@example.com", "invite", "CONFIRMATION_REQUIRED")]


def test_login_user_keeps_the_documented_bool(counted):
    app, counter = counted
    with app.test_request_context():
        assert login_user(_joe()) is True
    counter.refuse = "DISABLED_ACCOUNT"
    with app.test_request_context():
        assert login_user(_joe()) is False
        assert not flask_login.current_user.is_authenticated
    assert counter.asked == 2


def test_begin_login_asks_the_refusal_once(counted):
    app, counter = counted
    with app.test_request_context():
        outcome = begin_login(_joe(), method="form")
        assert outcome.logged_in and outcome.refusal is None
    assert counter.asked == 1


def test_begin_login_claims_a_one_time_credential_only_when_allowed(counted):
    app, counter = counted
    claims: list[str] = []

    def claim() -> str | None:
        claims.append("used")
        return None

    counter.refuse = "DISABLED_ACCOUNT"
    with app.test_request_context():
        outcome = begin_login(_joe(), method="passwordless", claim=claim)
        assert not outcome and outcome.refusal == "DISABLED_ACCOUNT"
    assert claims == []
    counter.refuse = None
    with app.test_request_context():
        assert begin_login(_joe(), method="passwordless", claim=claim).logged_in
    assert claims == ["used"]


def test_begin_login_refuses_with_the_key_of_a_credential_used_meanwhile(counted):
    app, counter = counted
    with app.test_request_context():
        outcome = begin_login(_joe(), method="passwordless", claim=lambda: "INVALID_LOGIN_TOKEN")
        assert not outcome and outcome.refusal == "INVALID_LOGIN_TOKEN"
        assert not flask_login.current_user.is_authenticated
    assert counter.refused == []  # a used link is not a refusal by a plugin


def test_the_login_form_asks_the_refusal_once(counted):
    """The form asks the hook before the password counts; the login it then begins
    does not ask again (issue 14 section 3)."""
    app, counter = counted
    client = app.test_client()
    r = client.post("/login", data={"email": "joe@example.com", "password": "password"})
    assert r.status_code == 302
    assert counter.asked == 1
    assert client.get("/login").status_code == 302  # signed in: sent on


def test_json_login_asks_the_refusal_once(counted):
    app, counter = counted
    client = app.test_client()
    r = client.post("/login", json={"email": "joe@example.com", "password": "password"})
    assert r.status_code == 200
    assert r.get_json()["response"]["user"]["authentication_token"]
    assert counter.asked == 1


def test_a_refused_login_form_asks_once_and_answers_the_refusal(counted):
    app, counter = counted
    counter.refuse = "DISABLED_ACCOUNT"
    client = app.test_client()
    r = client.post("/login", json={"email": "joe@example.com", "password": "wrong"})
    assert r.status_code == 400
    assert "email" in r.get_json()["response"]["errors"]
    assert counter.asked == 1
    assert counter.refused == [("joe@example.com", "form", "DISABLED_ACCOUNT")]


def test_an_inactive_account_is_refused_by_the_login_form(app):
    r = app.test_client().post("/login", json={"email": "off@example.com", "password": "password"})
    assert r.status_code == 400
    assert "email" in r.get_json()["response"]["errors"]
    assert "authentication_token" not in r.get_data(as_text=True)


def test_begin_login_with_the_refusal_checked_does_not_ask_again(counted):
    app, counter = counted
    counter.refuse = "DISABLED_ACCOUNT"  # would refuse, were it asked
    with app.test_request_context():
        outcome = begin_login(_joe(), method="form", refusal_checked=True)
        assert outcome.logged_in
    assert counter.asked == 0


def test_begin_login_with_the_refusal_checked_still_refuses_an_inactive_user(counted):
    """Flask-Login's ``is_active`` check holds whatever the caller says."""
    app, counter = counted
    with app.test_request_context():
        off = current_datastore.find_user(email="off@example.com")
        outcome = begin_login(off, method="form", refusal_checked=True)
        assert not outcome and outcome.refusal == "DISABLED_ACCOUNT"
        assert not flask_login.current_user.is_authenticated
    assert counter.asked == 0
