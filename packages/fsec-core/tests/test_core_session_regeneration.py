"""Every successful login starts a fresh session with a new CSRF token (issue 15
item 5): a session or CSRF token fixed before the login is worthless after it."""

from __future__ import annotations

import pytest
from flask import g, session
from flask_security.testing.app import add_user, login
from flask_security.testing.session import PLANTED_KEY, assert_fresh_session, plant_session
from flask_security.utils import login_user, regenerate_session


def test_form_login_regenerates_the_session(client):
    planted = plant_session(client)
    r = client.post("/login", data={"email": "matt@example.com", "password": "password"})
    assert r.status_code == 302
    assert_fresh_session(client, planted)


def test_json_login_regenerates_the_session(client):
    planted = plant_session(client)
    assert login(client, "matt@example.com").status_code == 200
    assert_fresh_session(client, planted)


def test_failed_login_keeps_the_session(client):
    # Only a successful login renews it: a wrong password changes nothing.
    planted = plant_session(client)
    assert login(client, "matt@example.com", "wrong").status_code == 400
    with client.session_transaction() as sess:
        assert sess[PLANTED_KEY] == "attacker"
        assert sess["csrf_token"] == planted


def test_csrf_token_from_before_login_is_refused_after_it(make_app):
    app = make_app({"SECURITY_CHANGEABLE": True, "WTF_CSRF_ENABLED": True})
    add_user(app, "a@example.com", "password")
    client = app.test_client()
    before = client.get("/login", json=None, headers={"Accept": "application/json"})
    old_token = before.json["response"]["csrf_token"]
    r = client.post(
        "/login",
        json={"email": "a@example.com", "password": "password", "csrf_token": old_token},
    )
    assert r.status_code == 200
    new_token = r.json["response"]["csrf_token"]
    assert new_token != old_token
    change = {
        "password": "password",
        "new_password": "new-password",
        "new_password_confirm": "new-password",
    }
    r = client.post("/change", json={**change, "csrf_token": old_token})
    assert r.status_code == 400
    assert "csrf_token" in r.json["response"]["errors"]
    r = client.post("/change", json={**change, "csrf_token": new_token})
    assert r.status_code == 200


def test_login_user_api_regenerates_too(app):
    # Apps (and the coming two-factor completion) log in through utils.login_user.
    with app.test_request_context("/"):
        session["x"] = "planted"
        session["next"] = "/kept"
        g.csrf_token = "cached-signed-token"
        user = app.extensions["security"].datastore.find_user(email="matt@example.com")
        assert login_user(user) is True
        assert "x" not in session
        assert session["next"] == "/kept"
        assert "csrf_token" not in g
        assert "_user_id" in session


def test_refused_login_user_keeps_the_session(app):
    with app.test_request_context("/"):
        session["x"] = "kept"
        user = app.extensions["security"].datastore.find_user(email="off@example.com")
        assert login_user(user) is False
        assert session["x"] == "kept"


class _RegeneratingInterface:
    """Stands in for a server-side session interface with ``regenerate`` (Flask-Session
    0.6+): records the calls and delegates the rest to Flask's cookie interface."""

    def __init__(self, inner):
        self.inner = inner
        self.regenerated = []

    def regenerate(self, sess):
        self.regenerated.append(dict(sess))

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.mark.parametrize("keep", [("next",), ()])
def test_server_side_session_gets_a_new_identifier(app, keep):
    interface = _RegeneratingInterface(app.session_interface)
    app.session_interface = interface
    with app.test_request_context("/"):
        session["next"] = "/n"
        session["other"] = 1
        regenerate_session(keep)
        assert interface.regenerated == [{"next": "/n"} if keep else {}]
