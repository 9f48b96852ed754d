"""The passwordless views: the send-link page that replaces /login, and /login/<token>."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_security.testing.app import add_user, create_app
from flask_security.utils import capture_passwordless_login_requests

# -- the send-link page --------------------------------------------------------------------


def test_login_page_is_the_send_link_form(app: Flask) -> None:
    response = app.test_client().get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="send_login_form"' in html
    assert 'name="email"' in html
    assert 'action="/login"' in html
    assert 'name="password"' not in html
    assert app.extensions["security"].contributions["fsec_views"]["login"] == "passwordless"


def test_unauthenticated_requests_are_sent_to_the_send_link_page(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2F"
    assert 'name="send_login_form"' in client.get("/login?next=%2F").get_data(as_text=True)


def test_html_post_mails_and_redirects(app: Flask, outbox: list[Any]) -> None:
    client = app.test_client()
    response = client.post("/login", data={"email": "Alice@Example.com"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert len(outbox) == 1
    assert outbox[0].recipients == ["alice@example.com"]
    assert outbox[0].subject == "Login instructions"
    page = client.get("/login").get_data(as_text=True)
    assert "If Alice@example.com belongs to an active account" in page  # domain normalised
    assert client.get("/").status_code == 302  # asking for a link does not sign in


def test_html_invalid_rerenders_200(app: Flask, outbox: list[Any]) -> None:
    client = app.test_client()
    response = client.post("/login", data={"email": "nope"})
    assert response.status_code == 200
    assert "That is not a valid email address." in response.get_data(as_text=True)
    assert outbox == []


def test_json_get_gives_csrf_token(app: Flask, request_token: Any) -> None:
    client = app.test_client()
    response = client.get("/login", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["response"]["csrf_token"]
    assert "user" not in response.json["response"]
    token = request_token(app)
    assert client.get(f"/login/{token}").status_code == 302
    response = client.get("/login", headers={"Accept": "application/json"})
    assert response.json["response"]["user"] == {"id": "1"}


def test_json_post_success_has_no_user(app: Flask, outbox: list[Any]) -> None:
    response = app.test_client().post("/login", json={"email": "alice@example.com"})
    assert response.status_code == 200
    assert response.json == {"meta": {"code": 200}, "response": {}}
    assert len(outbox) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "An email address is required."),
        ({"email": "   "}, "An email address is required."),
        ({"email": "a@"}, "That is not a valid email address."),
        ({"email": {"x": 1}}, "This value must be a string."),
    ],
)
def test_json_field_errors(app: Flask, outbox: list[Any], body: Any, message: str) -> None:
    response = app.test_client().post("/login", json=body)
    assert response.status_code == 400
    assert response.json["meta"]["code"] == 400
    assert response.json["response"]["errors"]["email"] == [message]
    assert outbox == []


@pytest.mark.parametrize("raw", ["[]", "1", "{bad", '"x"'])
def test_bad_json_body_is_400(app: Flask, raw: str) -> None:
    response = app.test_client().post(
        "/login", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "json" in response.json["response"]["errors"]


def test_password_login_is_gone(app: Flask, outbox: list[Any]) -> None:
    client = app.test_client()
    response = client.post("/login", json={"email": "alice@example.com", "password": "password"})
    assert response.status_code == 200
    assert response.json["response"] == {}  # no user, no authentication token
    assert client.get("/").status_code == 302
    assert len(outbox) == 1  # it was taken as a request for a link


def test_token_and_basic_auth_still_work(app: Flask) -> None:
    import base64

    raw = base64.b64encode(b"alice@example.com:password").decode()
    response = app.test_client().get("/basic", headers={"Authorization": f"Basic {raw}"})
    assert response.status_code == 200


def test_signed_in_get_redirects(app: Flask, request_token: Any) -> None:
    client = app.test_client()
    client.get(f"/login/{request_token(app)}")
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_csrf_enforced_when_enabled(make_app: Any) -> None:
    app = make_app({"WTF_CSRF_ENABLED": True})
    add_user(app, "alice@example.com")
    client = app.test_client()
    with capture_passwordless_login_requests() as requests:
        response = client.post("/login", json={"email": "alice@example.com"})
        assert response.status_code == 400
        assert "csrf_token" in response.json["response"]["errors"]
        csrf = client.get("/login", headers={"Accept": "application/json"}).json["response"][
            "csrf_token"
        ]
        response = client.post("/login", json={"email": "alice@example.com", "csrf_token": csrf})
        assert response.status_code == 200
    assert len(requests) == 1


def test_send_login_context_processor(make_app: Any) -> None:
    from jinja2 import DictLoader

    app = make_app()
    security = app.extensions["security"]

    @security.send_login_context_processor
    def extra() -> dict[str, str]:
        return {"extra": "marker-send-login"}

    app.jinja_loader = DictLoader(  # type: ignore[assignment]
        {"security/send_login.html": "{{ extra }} {{ send_login_form.email.name }}"}
    )
    assert app.test_client().get("/login").get_data(as_text=True) == "marker-send-login email"


def test_no_forgot_password_link_on_send_link_page(make_app: Any) -> None:
    pytest.importorskip("fsec_recoverable")
    app = make_app({"SECURITY_RECOVERABLE": True})
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "/reset" not in html


# -- using a link --------------------------------------------------------------------------


def test_link_signs_in_and_redirects(app: Flask, request_token: Any) -> None:
    client = app.test_client()
    response = client.get(f"/login/{request_token(app)}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").get_data(as_text=True) == "Hello alice@example.com"


def test_link_flashes_success(app: Flask, request_token: Any) -> None:
    client = app.test_client()
    client.get(f"/login/{request_token(app)}")
    with client.session_transaction() as session:
        flashes = session.get("_flashes", [])
    assert ("success", "You are signed in.") in flashes


def test_link_honours_safe_next_only(app: Flask, request_token: Any) -> None:
    response = app.test_client().get(f"/login/{request_token(app)}?next=/public")
    assert response.headers["Location"] == "/public"
    response = app.test_client().get(f"/login/{request_token(app)}?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_link_json_returns_user_and_auth_token(app: Flask, request_token: Any) -> None:
    client = app.test_client()
    response = client.get(f"/login/{request_token(app)}", headers={"Accept": "application/json"})
    assert response.status_code == 200
    user = response.json["response"]["user"]
    assert user["id"] == "1"
    headers = {"Authentication-Token": user["authentication_token"]}
    assert app.test_client().get("/token", headers=headers).json == {"email": "alice@example.com"}


def test_logout_after_link_login(app: Flask, request_token: Any) -> None:
    client = app.test_client()
    client.get(f"/login/{request_token(app)}")
    assert client.get("/logout").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("token", ["garbage", "x.y.z", "WyIxIiwiYSIsImIiXQ.AAAAAA.AAAA"])
def test_invalid_link(app: Flask, token: str) -> None:
    client = app.test_client()
    response = client.get(f"/login/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "That sign-in link does not work" in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302
    response = client.get(f"/login/{token}", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["response"]["errors"]["token"] == [
        "That sign-in link does not work: it is damaged or was already used."
    ]


def test_link_needs_anonymous_user_and_stays_unused(app: Flask, request_token: Any) -> None:
    first = request_token(app)
    client = app.test_client()
    assert client.get(f"/login/{first}").status_code == 302
    second = request_token(app)
    # Signed in already: redirected, the link is not consumed.
    response = client.get(f"/login/{second}")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with app.app_context():
        count = app.extensions["security"].datastore.find_user(email="alice@example.com")
        assert count.login_count == 1
    assert app.test_client().get(f"/login/{second}").headers["Location"] == "/"


def test_urls_follow_config(make_app: Any) -> None:
    app = make_app({"SECURITY_LOGIN_URL": "/signin", "SECURITY_URL_PREFIX": "/auth"})
    add_user(app, "alice@example.com")
    client = app.test_client()
    assert 'action="/auth/signin"' in client.get("/auth/signin").get_data(as_text=True)
    with (
        capture_passwordless_login_requests() as requests,
        app.extensions["mail"].record_messages() as outbox,
    ):
        assert client.post("/auth/signin", json={"email": "alice@example.com"}).status_code == 200
    token = requests[0]["login_token"]
    assert f"http://localhost/auth/signin/{token}" in outbox[0].body
    assert client.get(f"/auth/signin/{token}").status_code == 302
    assert client.get("/").status_code == 200


# -- start-up -------------------------------------------------------------------------------


def test_start_up_fails_without_a_login_state_provider() -> None:
    with pytest.raises(RuntimeError) as err:
        create_app({"SECURITY_PASSWORDLESS": True})
    message = str(err.value)
    assert "SECURITY_PASSWORDLESS" in message
    assert "SECURITY_TRACKABLE" in message and "fsec_login_state" in message


def test_feature_off_keeps_core_login(make_app: Any) -> None:
    app = make_app({"SECURITY_PASSWORDLESS": False})
    html = app.test_client().get("/login").get_data(as_text=True)
    assert 'name="password"' in html
    assert "security.token_login" not in app.view_functions


# -- forms -----------------------------------------------------------------------------------


def test_form_importable_from_flask_security() -> None:
    import flask_security
    import flask_security.forms
    from fsec_passwordless.forms import PasswordlessLoginForm

    assert flask_security.PasswordlessLoginForm is PasswordlessLoginForm
    assert flask_security.forms.PasswordlessLoginForm is PasswordlessLoginForm
    assert hasattr(PasswordlessLoginForm, "email") and hasattr(PasswordlessLoginForm, "submit")
    assert not hasattr(PasswordlessLoginForm, "password")


def test_form_override(make_app: Any) -> None:
    from fsec_passwordless.forms import PasswordlessLoginForm
    from wtforms import BooleanField
    from wtforms.validators import DataRequired

    class TermsForm(PasswordlessLoginForm):
        terms = BooleanField("I agree", validators=[DataRequired()])

    app = make_app(security_kwargs={"passwordless_login_form": TermsForm})
    add_user(app, "alice@example.com")
    client = app.test_client()
    response = client.post("/login", json={"email": "alice@example.com"})
    assert response.status_code == 400 and "terms" in response.json["response"]["errors"]
    response = client.post("/login", json={"email": "alice@example.com", "terms": True})
    assert response.status_code == 200
