"""Session login and logout: form and JSON, next handling, remember me, failures."""

from __future__ import annotations

import re

import pytest
from flask_security.signals import password_changed
from flask_security.testing.app import add_user, login
from flask_security.utils import hash_password


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


def test_login_page_renders_form(client):
    r = client.get("/login")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html and 'name="remember"' in html


def test_form_login_redirects_to_post_login_view_and_sets_session(client):
    r = client.post("/login", data={"email": "matt@example.com", "password": "password"})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"
    assert client.get("/").get_data(as_text=True) == "Hello matt@example.com"


def test_form_login_follows_safe_next(client):
    r = client.post(
        "/login?next=/admin", data={"email": "matt@example.com", "password": "password"}
    )
    assert r.headers["Location"] == "/admin"
    r = client.post(
        "/login", data={"email": "matt@example.com", "password": "password", "next": "/editor"}
    )
    assert r.headers["Location"] == "/editor"


def test_form_login_refuses_foreign_next(client):
    r = client.post(
        "/login?next=//evil.example/", data={"email": "matt@example.com", "password": "password"}
    )
    assert r.status_code == 200
    assert "Location" not in r.headers
    assert "Redirections outside this site are not allowed." in r.get_data(as_text=True)
    r = client.post(
        "/login",
        json={"email": "matt@example.com", "password": "password", "next": "https://evil.example"},
    )
    assert r.status_code == 400
    assert r.json["response"]["errors"]["next"] == [
        "Redirections outside this site are not allowed."
    ]


def test_login_is_case_insensitive_on_identity(client):
    r = login(client, "MATT@Example.COM")
    assert r.status_code == 200
    assert r.json["response"]["user"]["id"] == "1"


def test_json_login_returns_documented_shape(client):
    r = login(client, "matt@example.com")
    assert r.status_code == 200
    body = r.json
    assert body["meta"] == {"code": 200}
    user = body["response"]["user"]
    assert user["id"] == "1"
    assert isinstance(user["authentication_token"], str) and len(user["authentication_token"]) > 20
    assert client.get("/").status_code == 200


def test_wrong_password_gives_200_page_with_field_error_and_no_session(client):
    r = client.post("/login", data={"email": "matt@example.com", "password": "nope"})
    assert r.status_code == 200
    assert "Wrong email address or password." in r.get_data(as_text=True)
    # the typed identity is kept in the re-rendered form
    assert 'value="matt@example.com"' in r.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_json_login_failures_have_field_errors(client):
    r = login(client, "matt@example.com", "wrong")
    assert r.status_code == 400
    assert r.json["meta"]["code"] == 400
    assert r.json["response"]["errors"]["password"] == ["Wrong email address or password."]
    r = client.post("/login", json={"email": "", "password": ""})
    assert r.status_code == 400
    errors = r.json["response"]["errors"]
    assert set(errors) == {"email", "password"}


def test_unknown_and_wrong_password_answer_identically(client):
    unknown = login(client, "nobody@example.com", "password")
    wrong = login(client, "matt@example.com", "not-it")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json["response"]["errors"] == wrong.json["response"]["errors"]


def test_unknown_identity_costs_one_hash_like_a_known_one(app, monkeypatch):
    """Unsafe point 3: no early answer for unknown accounts (count hash verifications)."""
    ctx = app.extensions["security"].pwd_context
    calls = []
    original = ctx.verify

    def counting(secret, hash, **kw):
        calls.append(hash)
        return original(secret, hash, **kw)

    monkeypatch.setattr(ctx, "verify", counting)
    client = app.test_client()
    login(client, "nobody@example.com", "password")
    unknown_calls = len(calls)
    calls.clear()
    login(client, "matt@example.com", "wrong-password")
    assert unknown_calls == len(calls) == 1
    # and the dummy hash is a real hash of the default scheme and cost
    assert ctx.identify(app.extensions["security"].password_hasher._dummy_hash) == "bcrypt"


def test_numeric_identity_is_not_a_primary_key(client):
    """Unsafe point 6: "1" must not log in user 1."""
    r = login(client, "1", "password")
    assert r.status_code == 400
    assert client.get("/").status_code == 302


def test_username_identity_attribute(make_app):
    app = make_app({"SECURITY_USER_IDENTITY_ATTRIBUTES": ["email", "username"]})
    add_user(app, "kim@example.com", username="Kim")
    client = app.test_client()
    assert login(client, "kim").status_code == 200
    assert login(app.test_client(), "KIM@example.com").status_code == 200


def test_inactive_user_cannot_log_in(client):
    r = login(client, "off@example.com")
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == ["This account is disabled."]
    assert client.get("/").status_code == 302


def test_logout_get_and_post(client):
    login(client, "matt@example.com")
    r = client.get("/logout")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/").status_code == 302
    login(client, "matt@example.com")
    r = client.post("/logout?next=/public")
    assert r.headers["Location"] == "/public"
    assert client.get("/").status_code == 302


def test_logout_rejects_foreign_next(client):
    login(client, "matt@example.com")
    r = client.get("/logout?next=https://evil.example/")
    assert r.headers["Location"] == "/"


def test_authenticated_get_login_redirects(client):
    login(client, "matt@example.com")
    r = client.get("/login")
    assert r.status_code == 302 and r.headers["Location"] == "/"


def _remember_cookie(client):
    return client.get_cookie("remember_token")


def test_remember_me_cookie_logs_in_a_new_session(app):
    client = app.test_client()
    login(client, "matt@example.com", remember=True)
    cookie = _remember_cookie(client)
    assert cookie is not None
    assert cookie.http_only
    other = app.test_client()
    other.set_cookie("remember_token", cookie.value)
    assert other.get("/").status_code == 200


def test_no_remember_cookie_by_default(app):
    client = app.test_client()
    login(client, "matt@example.com")
    assert _remember_cookie(client) is None


def test_default_remember_me_setting(make_app):
    app = make_app({"SECURITY_DEFAULT_REMEMBER_ME": True})
    add_user(app, "a@example.com")
    client = app.test_client()
    assert '<input checked id="remember"' in client.get("/login").get_data(as_text=True)
    login(client, "a@example.com")
    assert _remember_cookie(client) is not None
    # an unchecked box in an HTML form is an explicit "no"
    other = app.test_client()
    other.post("/login", data={"email": "a@example.com", "password": "password"})
    assert _remember_cookie(other) is None


def test_remember_cookie_dies_when_password_changes(app):
    """Unsafe point 7: the cookie is Flask-Login's alternative token tied to the password."""
    client = app.test_client()
    login(client, "matt@example.com", remember=True)
    cookie = _remember_cookie(client).value
    with app.app_context():
        ds = app.extensions["security"].datastore
        user = ds.find_user(email="matt@example.com")
        user.password = hash_password("another-password")
        ds.commit()
    other = app.test_client()
    other.set_cookie("remember_token", cookie)
    assert other.get("/").status_code == 302
    # the session cookie of the first client dies too
    assert client.get("/").status_code == 302


def test_session_dies_when_user_is_deactivated(app):
    """Unsafe point 2: an open session of a deactivated user stops working."""
    client = app.test_client()
    login(client, "matt@example.com", remember=True)
    cookie = _remember_cookie(client).value
    assert client.get("/").status_code == 200
    with app.app_context():
        ds = app.extensions["security"].datastore
        ds.deactivate_user(ds.find_user(email="matt@example.com"))
        ds.commit()
    assert client.get("/").status_code == 302
    other = app.test_client()
    other.set_cookie("remember_token", cookie)
    assert other.get("/").status_code == 302


def test_rehash_on_login_from_deprecated_scheme(make_app):
    app = make_app()
    with app.app_context():
        from passlib.hash import sha256_crypt

        ds = app.extensions["security"].datastore
        hasher = app.extensions["security"].password_hasher
        legacy = sha256_crypt.hash(hasher.get_hmac("password"))
        ds.create_user(email="old@example.com", password=legacy)
        ds.commit()
    assert login(app.test_client(), "old@example.com").status_code == 200
    with app.app_context():
        user = app.extensions["security"].datastore.find_user(email="old@example.com")
        assert user.password.startswith("$2b$")


def test_login_does_not_fire_password_changed(client):
    fired = []
    password_changed.connect(lambda app, **kw: fired.append(kw))
    try:
        login(client, "matt@example.com")
    finally:
        password_changed.receivers.clear()
    assert fired == []


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        '"a string"',
        "null",
        "42",
    ],
)
def test_malformed_or_non_object_json_is_400(client, body):
    """Unsafe point 9."""
    r = client.post("/login", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r.json["meta"]["code"] == 400
    assert "json" in r.json["response"]["errors"]


@pytest.mark.parametrize("value", [5, 1.5, ["a"], {"a": 1}])
def test_non_string_json_values_are_400(client, value):
    r = client.post("/login", json={"email": value, "password": "password"})
    assert r.status_code == 400
    assert r.json["response"]["errors"]["email"] == ["This value must be a string."]


def test_json_boolean_remember_is_accepted(app):
    client = app.test_client()
    r = client.post(
        "/login", json={"email": "matt@example.com", "password": "password", "remember": True}
    )
    assert r.status_code == 200
    assert _remember_cookie(client) is not None
    other = app.test_client()
    r = other.post(
        "/login", json={"email": "matt@example.com", "password": "password", "remember": False}
    )
    assert r.status_code == 200
    assert _remember_cookie(other) is None


class TestCSRF:
    @pytest.fixture
    def app(self, make_app):
        app = make_app({"WTF_CSRF_ENABLED": True})
        add_user(app, "matt@example.com")
        return app

    def test_form_without_token_is_refused(self, app):
        client = app.test_client()
        r = client.post("/login", data={"email": "matt@example.com", "password": "password"})
        assert r.status_code == 200
        assert client.get("/").status_code == 302

    def test_form_with_token_from_page_works(self, app):
        client = app.test_client()
        token = _csrf(client.get("/login").get_data(as_text=True))
        r = client.post(
            "/login",
            data={"email": "matt@example.com", "password": "password", "csrf_token": token},
        )
        assert r.status_code == 302

    def test_json_client_gets_token_then_sends_it_in_header(self, app):
        client = app.test_client()
        r = client.post("/login", json={"email": "matt@example.com", "password": "password"})
        assert r.status_code == 400
        assert "csrf_token" in r.json["response"]["errors"]
        r = client.get("/login", headers={"Accept": "application/json"})
        token = r.json["response"]["csrf_token"]
        r = client.post(
            "/login",
            json={"email": "matt@example.com", "password": "password"},
            headers={"X-CSRFToken": token},
        )
        assert r.status_code == 200

    def test_json_token_in_body(self, app):
        client = app.test_client()
        token = client.get("/login", headers={"Accept": "application/json"}).json["response"][
            "csrf_token"
        ]
        r = client.post(
            "/login",
            json={"email": "matt@example.com", "password": "password", "csrf_token": token},
        )
        assert r.status_code == 200
