"""Change password (SECURITY_CHANGEABLE): view, JSON, signal, notice mail, sessions."""

from __future__ import annotations

from flask_security.signals import password_changed
from flask_security.testing.app import add_user, login
from flask_security.utils import verify_password

NEW = {
    "password": "password",
    "new_password": "new-password",
    "new_password_confirm": "new-password",
}


def _user(app, email="matt@example.com"):
    with app.app_context():
        return app.extensions["security"].datastore.find_user(email=email)


def test_change_requires_login(client):
    r = client.get("/change")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_change_not_mounted_unless_changeable(make_app):
    app = make_app()
    assert "security.change_password" not in app.view_functions
    assert app.test_client().get("/change").status_code == 404


def test_change_page_renders(client):
    login(client, "matt@example.com")
    r = client.get("/change")
    assert r.status_code == 200
    assert 'name="new_password_confirm"' in r.get_data(as_text=True)


def test_form_change_flow(app):
    client = app.test_client()
    login(client, "matt@example.com")
    events = []

    def on_changed(sender, user, **kw):
        events.append((sender, user.email))

    password_changed.connect(on_changed)
    try:
        with app.extensions["mail"].record_messages() as outbox:
            r = client.post("/change", data=NEW)
    finally:
        password_changed.disconnect(on_changed)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert events == [(app, "matt@example.com")]
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email="matt@example.com")
        assert verify_password("new-password", user.password)
    assert len(outbox) == 1
    msg = outbox[0]
    assert msg.recipients == ["matt@example.com"]
    assert msg.subject == "Your password has been changed"
    assert "Your password has been changed." in msg.body
    assert "<p>" in msg.html
    # this session carries on
    assert client.get("/").status_code == 200
    assert login(app.test_client(), "matt@example.com", "new-password").status_code == 200
    assert login(app.test_client(), "matt@example.com", "password").status_code == 400


def test_change_ends_other_sessions_cookies_and_tokens(app):
    mine = app.test_client()
    login(mine, "matt@example.com", remember=True)
    other = app.test_client()
    token = login(other, "matt@example.com", remember=True).json["response"]["user"][
        "authentication_token"
    ]
    remember = other.get_cookie("remember_token").value
    assert other.get("/").status_code == 200
    r = mine.post("/change", json=NEW)
    assert r.status_code == 200
    new_token = r.json["response"]["user"]["authentication_token"]
    assert new_token != token
    assert other.get("/").status_code == 302
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/").status_code == 302
    assert fresh.get("/token", headers={"Authentication-Token": token}).status_code == 401
    assert fresh.get("/token", headers={"Authentication-Token": new_token}).status_code == 200
    # the changing session survives, and its renewed remember cookie works
    assert mine.get("/").status_code == 200
    renewed = app.test_client()
    renewed.set_cookie("remember_token", mine.get_cookie("remember_token").value)
    assert renewed.get("/").status_code == 200


def test_same_password_refused(client, app):
    login(client, "matt@example.com")
    before = _user(app).password
    r = client.post(
        "/change",
        json={
            "password": "password",
            "new_password": "password",
            "new_password_confirm": "password",
        },
    )
    assert r.status_code == 400
    assert r.json["response"]["errors"]["new_password"] == [
        "The new password must differ from the current one."
    ]
    assert _user(app).password == before


def test_wrong_current_password_and_mismatch(client):
    login(client, "matt@example.com")
    r = client.post("/change", json={**NEW, "password": "wrong"})
    assert r.status_code == 400 and "password" in r.json["response"]["errors"]
    r = client.post("/change", json={**NEW, "new_password_confirm": "different"})
    assert r.status_code == 400 and "new_password_confirm" in r.json["response"]["errors"]
    r = client.post(
        "/change", json={**NEW, "new_password": "short", "new_password_confirm": "short"}
    )
    assert r.json["response"]["errors"]["new_password"] == [
        "The password must be 6 to 128 characters long."
    ]
    r = client.post("/change", data={**NEW, "password": "wrong"})
    # 3.0: the form is shown again with 200 and INVALID_PASSWORD on the password field.
    assert r.status_code == 200 and "Wrong email address or password." in r.get_data(as_text=True)


def test_change_with_token_only(app):
    token = login(app.test_client(), "matt@example.com").json["response"]["user"][
        "authentication_token"
    ]
    client = app.test_client()
    r = client.post("/change", json=NEW, headers={"Authentication-Token": token})
    assert r.status_code == 200
    with app.app_context():
        assert verify_password("new-password", _user(app).password)
    # a token-only client gets no session cookie out of it
    assert client.get_cookie("session") is None


def test_notice_mail_can_be_switched_off(make_app):
    app = make_app({"SECURITY_CHANGEABLE": True, "SECURITY_SEND_PASSWORD_CHANGE_EMAIL": False})
    add_user(app, "a@example.com")
    client = app.test_client()
    login(client, "a@example.com")
    with app.extensions["mail"].record_messages() as outbox:
        assert client.post("/change", json=NEW).status_code == 200
    assert outbox == []


def test_post_change_view(make_app):
    app = make_app({"SECURITY_CHANGEABLE": True, "SECURITY_POST_CHANGE_VIEW": "/public"})
    add_user(app, "a@example.com")
    client = app.test_client()
    login(client, "a@example.com")
    assert client.post("/change", data=NEW).headers["Location"] == "/public"


def test_mail_server_failure_is_logged_not_500(make_app, caplog):
    app = make_app(
        {
            "SECURITY_CHANGEABLE": True,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": 9,  # discard port: nothing listens
        }
    )
    add_user(app, "a@example.com")
    client = app.test_client()
    login(client, "a@example.com")
    r = client.post("/change", json=NEW)
    assert r.status_code == 200
    assert "could not send the 'change_notice' mail" in caplog.text


def test_wrong_current_password_reported_with_an_invalid_new_one(app):
    """Issue 13 §2: both problems at once, as JSON and on the page."""
    client = app.test_client()
    login(client, "matt@example.com")
    bad = {"password": "not-it", "new_password": "abc", "new_password_confirm": "abd"}
    r = client.post("/change", json=bad)
    assert r.status_code == 400
    errors = r.json["response"]["errors"]
    assert errors["password"] == ["Wrong email address or password."]
    assert "new_password" in errors and "new_password_confirm" in errors
    r = client.post("/change", data=bad)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert html.count('class="fsec-errors"') >= 3
    # the right current password with an invalid new one: only the new one is refused
    r = client.post("/change", json={**bad, "password": "password"})
    assert r.status_code == 400 and "password" not in r.json["response"]["errors"]
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email="matt@example.com")
        assert verify_password("password", user.password)
